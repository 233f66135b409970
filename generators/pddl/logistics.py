"""pddl/logistics/*: trucks and airplanes deliver packages between cities, with action costs; sizes by
cities, locations per city, airplanes and packages."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.generators.pddl import tasks
from reasonry.generators.pddl.model import Instance


@dataclass(frozen=True)
class LogisticsConfig(tasks.PddlConfig):
    cities: tuple[int, int] = (2, 3)
    locations: tuple[int, int] = (1, 2)  # non-airport places per city
    airplanes: tuple[int, int] = (1, 1)
    packages: tuple[int, int] = (1, 3)

    def __post_init__(self):
        super().__post_init__()
        tasks.check_range(self, "cities", 1)
        tasks.check_range(self, "locations", 1)
        tasks.check_range(self, "airplanes", 1)
        tasks.check_range(self, "packages", 1)


class Logistics(tasks.Domain):
    name = "logistics"
    about = ("Logistics: packages travel between places. Each city has one truck that drives between the places "
             "of its own city; airplanes fly between airports. Packages are loaded into and unloaded from a "
             "vehicle at the vehicle's place. Actions cost: load and unload 1, drive 2, fly 5.")

    def draw(self, config: LogisticsConfig, rng: random.Random) -> Instance:
        n_cities = rng.randint(*config.cities)
        cities, airports, locations, trucks, init = [], [], [], [], []
        places: list[str] = []
        for c in range(1, n_cities + 1):
            city = f"city{c}"
            cities.append(city)
            airport = f"apt{c}"
            airports.append(airport)
            own = [f"loc{c}-{j}" for j in range(1, rng.randint(*config.locations) + 1)]
            locations.extend(own)
            places.extend([airport, *own])
            init += [("in-city", p, city) for p in (airport, *own)]
            truck = f"truck{c}"
            trucks.append(truck)
            init.append(("at", truck, rng.choice([airport, *own])))
        planes = [f"plane{i}" for i in range(1, rng.randint(*config.airplanes) + 1)]
        init += [("at", p, rng.choice(airports)) for p in planes]
        packages = [f"pkg{i}" for i in range(1, rng.randint(*config.packages) + 1)]
        start = {p: rng.choice(places) for p in packages}
        goal = {p: rng.choice(places) for p in packages}
        if goal == start:
            p = rng.choice(packages)
            goal[p] = rng.choice([q for q in places if q != start[p]])
        init += [("at", p, start[p]) for p in packages]
        objects = (("city", tuple(cities)), ("airport", tuple(airports)), ("location", tuple(locations)),
                   ("truck", tuple(trucks)), ("airplane", tuple(planes)), ("package", tuple(packages)))
        return Instance("logistics", f"logistics-{n_cities}-{len(packages)}", objects, tuple(init),
                        tuple(("at", p, goal[p]) for p in packages))

    def describe(self, inst: Instance) -> str:
        city_of = {a[1]: a[2] for a in inst.init if a[0] == "in-city"}
        at = ", ".join(f"{a[1]} at {a[2]}" for a in inst.init if a[0] == "at")
        cities: dict[str, list[str]] = {}
        for place, city in city_of.items():
            cities.setdefault(city, []).append(place)
        layout = "; ".join(f"{c}: {', '.join(sorted(ps))}" for c, ps in sorted(cities.items()))
        goal = ", ".join(f"{a[1]} at {a[2]}" for a in inst.goal)
        return f"Places by city: {layout}. Now: {at}. Goal: {goal}."

    # the knobs of this domain's tasks, and their difficulty levels (reasonry.levels)
    Config = LogisticsConfig
    levels = tasks.levels(
        {"cities": (2, 2), "locations": (1, 1), "packages": (1, 2)},
        {"cities": (2, 3), "locations": (1, 2), "packages": (2, 3)},
        {"cities": (3, 4), "locations": (1, 3), "airplanes": (1, 2), "packages": (3, 5)},
        {"cities": (4, 5), "locations": (2, 3), "airplanes": (2, 2), "packages": (5, 7)},
        {"cities": (5, 6), "locations": (2, 3), "airplanes": (2, 3), "packages": (7, 10)},
    )
    # the levels A* + LM-cut finishes within optimal_time_limit_s (bench/difficulty.py); larger ones time out:
    # plan_generation_optimal has only these
    optimal_levels = 3


DOMAIN = Logistics()
