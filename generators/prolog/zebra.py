"""prolog/zebra: zebra-style assignment puzzles, houses in a row with one value of each attribute (CLP(FD)).

Clues are true of a hidden arrangement, so at least one solution exists; the answer gives the first
arrangement in search order and how many arrangements satisfy the clues (1 for a well-posed puzzle).
Evolution: 0 = 3 houses, 2 attributes; 1 = 4 houses, 3 attributes; 2 = 4 houses, 3 attributes, and
"next to" and "not in house" clues as well (houses and attributes per level in ``sizes``, up to 7 x 7).
With ``unique`` the clue set is grown until SWI-Prolog finds exactly one arrangement: each round asks the solver
for two arrangements and adds a clue that holds in the hidden one and not in the other.

Difficulty levels (``difficulty: N``): 1 = 3x2, 2 = 4x3, 3 = 4x3 with all clue kinds, 4 = 5x4, 5 = 5x5,
6 = 6x6, 7 = 7x7; from level 4 on the puzzle has a unique solution.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.config import require
from reasonry.generators.prolog.common import (
    CSP_TRACE,
    Instance,
    PrologConfig,
    PrologFamily,
    csp_renderer,
    first_two,
    level,
    one_solution,
    program,
)
from reasonry.levels import knob

MODEL = """
% Every attribute value gets the number of its house; values of one attribute are in different houses.
model(Pairs, Houses) :-
    houses(N),
    findall(Vs, attribute(_, Vs), Groups),
    append(Groups, Values),
    same_length(Values, Houses),
    Houses ins 1..N,
    pairs_keys_values(Pairs, Values, Houses),
    maplist(distinct_group(Pairs), Groups),
    findall(C, clue(C), Clues),
    maplist(post(Pairs), Clues).

distinct_group(Pairs, Group) :-
    maplist(house_of(Pairs), Group, Hs),
    all_different(Hs).

house_of(Pairs, Value, House) :-
    memberchk(Value-House, Pairs).

post(Pairs, same(A, B)) :- house_of(Pairs, A, HA), house_of(Pairs, B, HB), HA #= HB.
post(Pairs, left_of(A, B)) :- house_of(Pairs, A, HA), house_of(Pairs, B, HB), HA + 1 #= HB.
post(Pairs, next_to(A, B)) :- house_of(Pairs, A, HA), house_of(Pairs, B, HB), abs(HA - HB) #= 1.
post(Pairs, in_house(A, I)) :- house_of(Pairs, A, HA), HA #= I.
post(Pairs, not_in_house(A, I)) :- house_of(Pairs, A, HA), HA #\\= I.

row(Pairs, House, Row) :-
    findall(V, (attribute(_, Vs), member(V, Vs), memberchk(V-House, Pairs)), Row).

answer(_{houses: Rows, solutions: Count}) :-
    model(Pairs, Houses),
    label(Houses),
    houses(N),
    numlist(1, N, Ns),
    maplist(row(Pairs), Ns, Rows),
    aggregate_all(count, (model(_, Hs), label(Hs)), Count).
"""

TRACE = CSP_TRACE + """
trace_search :-
    model(Pairs, Houses),
    pairs_keys(Pairs, Values),
    forall(tlabel(Houses, Values), true).
"""

ATTRIBUTES = {
    "color": ("red", "green", "blue", "white", "yellow", "black", "orange"),
    "pet": ("dog", "cat", "fish", "bird", "horse", "rabbit", "snake"),
    "drink": ("tea", "milk", "coffee", "water", "juice", "cocoa", "soda"),
    "job": ("baker", "doctor", "farmer", "pilot", "teacher", "writer", "nurse"),
    "sport": ("tennis", "golf", "rugby", "hockey", "cricket", "boxing", "rowing"),
    "fruit": ("apple", "banana", "cherry", "grape", "lemon", "mango", "peach"),
    "car": ("audi", "bmw", "fiat", "ford", "honda", "kia", "volvo"),
}
MAX_SIDE = 7  # houses and attributes: every attribute has this many values
KINDS = (("same", "left_of", "in_house"), ("same", "left_of", "in_house"),
         ("same", "left_of", "in_house", "next_to", "not_in_house"))


def clue_text(clue: list) -> str:
    kind, a, b = clue
    if kind == "same":
        return f"The {a} and the {b} are in the same house."
    if kind == "left_of":
        return f"The {a} is in the house immediately left of the {b}."
    if kind == "next_to":
        return f"The {a} and the {b} are in neighbouring houses."
    if kind == "in_house":
        return f"The {a} is in house {b}."
    return f"The {a} is not in house {b}."


@dataclass(frozen=True)
class ZebraConfig(PrologConfig):
    clues: tuple[tuple[int, int], ...] = ((4, 6), (8, 11), (9, 12))
    sizes: tuple[tuple[int, int], ...] = knob(((3, 2), (4, 3), (4, 3)))  # (houses, attributes) per evolution
    unique: bool = knob(False)  # add clues until exactly one arrangement satisfies them
    max_unique_rounds: int = knob(60)  # solver calls while growing the clue set; then the draw is given up

    def __post_init__(self):
        super().__post_init__()
        require(len(self.clues) == 3, "clues", "one range per evolution level (3)")
        for i, (low, high) in enumerate(self.clues):
            require(1 <= low <= high <= 120, f"clues[{i}]", "a range within 1..120")
        require(len(self.sizes) == 3, "sizes", "one (houses, attributes) pair per evolution level (3)")
        for i, (houses, attributes) in enumerate(self.sizes):
            require(2 <= houses <= MAX_SIDE and 1 <= attributes <= len(ATTRIBUTES), f"sizes[{i}]",
                    f"houses in 2..{MAX_SIDE}, attributes in 1..{len(ATTRIBUTES)}")
        require(1 <= self.max_unique_rounds <= 500, "max_unique_rounds", "must be in 1..500")


class Zebra(PrologFamily):
    name = "zebra"
    Config = ZebraConfig

    def build(self, config: ZebraConfig, rng: random.Random) -> Instance | None:
        level = config.evolution
        n, k = config.sizes[level]
        names = list(ATTRIBUTES)[:k]
        attrs = {a: list(ATTRIBUTES[a][:n]) for a in names}
        hidden: dict[str, int] = {}  # value -> house
        for a in names:
            houses = list(range(1, n + 1))
            rng.shuffle(houses)
            hidden.update(zip(attrs[a], houses, strict=True))
        values = [v for a in names for v in attrs[a]]
        clues: list[list] = []
        wanted = rng.randint(*config.clues[level])
        for _ in range(300):
            if len(clues) >= wanted:
                break
            kind = rng.choice(KINDS[level])
            a, b = rng.sample(values, 2)
            clue: list[str | int]
            # values of one attribute never share a house, so an equal house means different attributes
            if kind == "same" and hidden[a] == hidden[b]:
                clue = ["same", a, b]
            elif kind == "left_of" and hidden[a] + 1 == hidden[b]:
                clue = ["left_of", a, b]
            elif kind == "next_to" and abs(hidden[a] - hidden[b]) == 1:
                clue = ["next_to", a, b]
            elif kind == "in_house":
                clue = ["in_house", a, hidden[a]]
            elif kind == "not_in_house":
                clue = ["not_in_house", a, rng.choice([h for h in range(1, n + 1) if h != hidden[a]])]
            else:
                continue
            if clue not in clues:
                clues.append(clue)
        facts = [f"houses({n})."] + [f"attribute({a}, [{', '.join(attrs[a])}])." for a in names]
        if config.unique and not self._make_unique(config, facts, clues, values, hidden, rng):
            return None
        facts += [f"clue({c[0]}({c[1]}, {c[2]}))." for c in clues]
        text = program("\n".join(facts), MODEL, clpfd=True)
        listing_attrs = "; ".join(f"{a}s: {', '.join(attrs[a])}" for a in names)
        statement = (f"{n} houses stand in a row, numbered 1 to {n} from left to right. Each house has exactly one "
                     f"value of each attribute, and no two houses share a value ({listing_attrs}). Clues: "
                     + " ".join(clue_text(c) for c in clues)
                     + " Count the arrangements that satisfy every clue, and give the first one in this search "
                     "order: decide the house of each value in the order the values are listed above, trying "
                     "houses from 1 upwards.")
        return Instance(
            problem={"attributes": attrs, "clues": clues},
            program=text,
            statement=statement,
            answer_format=('{"houses": [[values in house 1, in the attribute order above], [house 2], ...], '
                           '"solutions": number of arrangements}.'),
            trace_addon=TRACE,
            render_trace=csp_renderer(lambda v: f"the house of the {v}", lambda h: f"house {h}"),
            difficulty={"houses": n, "attributes": k, "clues": len(clues)},
            check=one_solution if config.unique else None,
        )

    def _make_unique(self, config: ZebraConfig, facts: list[str], clues: list[list], values: list[str],
                     hidden: dict, rng: random.Random) -> bool:
        """Add clues, each ruling out the solver's second arrangement, until only the hidden one is left."""
        kinds = KINDS[config.evolution]
        for _ in range(config.max_unique_rounds):
            text = program("\n".join(facts + [f"clue({c[0]}({c[1]}, {c[2]}))." for c in clues]), MODEL,
                           clpfd=True)
            found = first_two(text, config)
            other = next((dict(zip(values, s, strict=True)) for s in found
                          if dict(zip(values, s, strict=True)) != hidden), None)
            if other is None:
                return True
            clue = _separating_clue(kinds, values, hidden, other, clues, rng)
            if clue is None:
                return False
            clues.append(clue)
        return False


def _separating_clue(kinds, values: list[str], hidden: dict, other: dict, clues: list[list],
                     rng: random.Random) -> list | None:
    """A clue true of ``hidden`` and false of ``other``: relations first, a fixed house as the last resort."""
    candidates = []
    for a in values:
        for b in values:
            if a == b:
                continue
            if "same" in kinds and hidden[a] == hidden[b] and other[a] != other[b]:
                candidates.append(["same", a, b])
            if "left_of" in kinds and hidden[a] + 1 == hidden[b] and other[a] + 1 != other[b]:
                candidates.append(["left_of", a, b])
            if "next_to" in kinds and abs(hidden[a] - hidden[b]) == 1 and abs(other[a] - other[b]) != 1:
                candidates.append(["next_to", a, b])
    candidates = [c for c in candidates if c not in clues]
    if candidates:
        return rng.choice(candidates)
    moved = [a for a in values if hidden[a] != other[a] and ["in_house", a, hidden[a]] not in clues]
    return ["in_house", (a := rng.choice(moved)), hidden[a]] if moved else None


def _levels() -> tuple[dict, ...]:
    z = ZebraConfig
    return (
        level(z, 0),
        level(z, 1),
        level(z, 2),
        level(z, 2, each={"sizes": (5, 4), "clues": (10, 14)}, unique=True),
        level(z, 2, each={"sizes": (5, 5), "clues": (12, 16)}, unique=True),
        level(z, 2, each={"sizes": (6, 6), "clues": (16, 20)}, unique=True),
        level(z, 2, each={"sizes": (7, 7), "clues": (20, 26)}, unique=True),
    )


Zebra.levels = _levels()
FAMILY = Zebra
