"""Problem instances: plain data rendered two ways from one source, as PDDL text and as a unified-planning
problem, so the text a model reads and the problem the planner solves cannot drift apart.

Domains are hand-written PDDL files in ``domain_files/``. Each is parsed once per process with
unified-planning's reader (see ``reasonry.verifiers.pddl.problems.domain_template``); an instance's problem is
that template cloned with the instance's objects, initial state and goal added. Parsing every generated
problem text instead would cost 50-150 ms per instance, a large share of a Fast Downward run; tests parse the
text back with unified-planning's reader and compare it to the built problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from reasonry.verifiers.pddl.problems import Loaded, PlainProblem, build, domain_template
from reasonry.verifiers.pddl.strips import Atom, from_up, show


@dataclass(frozen=True)
class Instance:
    domain: str
    name: str
    objects: tuple[tuple[str, tuple[str, ...]], ...]  # (type, object names), in declaration order
    init: tuple[Atom, ...]
    goal: tuple[Atom, ...]

    def canonical(self) -> dict:
        return {"domain": self.domain, "objects": [[t, list(names)] for t, names in self.objects],
                "init": sorted(" ".join(a) for a in self.init), "goal": sorted(" ".join(a) for a in self.goal)}


@cache
def domain_text(domain: str) -> str:
    return resources.files("reasonry.generators.pddl").joinpath("domain_files", f"{domain}.pddl").read_text()


def has_costs(domain: str) -> bool:
    return ":action-costs" in domain_text(domain)


def problem_text(inst: Instance) -> str:
    lines = [f"(define (problem {inst.name})", f"  (:domain {inst.domain})", "  (:objects"]
    for type_name, names in inst.objects:
        lines.append(f"    {' '.join(names)} - {type_name}")
    lines.append("  )")
    lines.append("  (:init")
    if has_costs(inst.domain):
        lines.append("    (= (total-cost) 0)")
    for atom in inst.init:
        lines.append(f"    {show(atom)}")
    lines.append("  )")
    lines.append("  (:goal (and")
    for atom in inst.goal:
        lines.append(f"    {show(atom)}")
    lines.append("  ))")
    if has_costs(inst.domain):
        lines.append("  (:metric minimize (total-cost))")
    lines.append(")")
    return "\n".join(lines) + "\n"


def to_up(inst: Instance):
    plain = PlainProblem(inst.name, inst.domain, inst.objects, inst.init, inst.goal, has_costs(inst.domain))
    return build(domain_template(domain_text(inst.domain)), plain)


def load_instance(inst: Instance) -> Loaded:
    problem = to_up(inst)
    return Loaded(problem, from_up(problem))
