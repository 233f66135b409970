"""prolog/graph_coloring: colour a generated graph so that adjacent nodes differ (CLP(FD)).

Evolution: 0 = small graphs, 2-3 colours; 1 = larger graphs, more colours, some nodes pre-coloured;
2 = as 1 plus a second objective, the fewest colours any valid colouring needs. The colouring asked for is
the first in search order (node 1 first, smallest colour first): the lexicographically smallest list.

Difficulty levels (``difficulty: N``): 1-3 = evolution 0-2, then counting the fewest colours on 10-13 and
14-18 nodes.
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
    level,
    listing,
    program,
)

MODEL = """
coloring(K, Cs) :-
    nodes(N),
    length(Cs, N),
    Cs ins 1..K,
    findall(A-B, edge(A, B), Edges),
    different(Edges, Cs),
    findall(V-C, precolored(V, C), Fixed),
    fix(Fixed, Cs).

different([], _).
different([A-B|Edges], Cs) :-
    nth1(A, Cs, X),
    nth1(B, Cs, Y),
    X #\\= Y,
    different(Edges, Cs).

fix([], _).
fix([V-C|Fixed], Cs) :-
    nth1(V, Cs, X),
    X #= C,
    fix(Fixed, Cs).
"""

ANSWER = """
answer(_{colors: Cs}) :-
    colors(K),
    coloring(K, Cs),
    label(Cs).
"""

ANSWER_MIN = """
answer(_{colors: Cs, min_colors: M}) :-
    colors(K),
    coloring(K, Cs),
    label(Cs),
    between(1, K, M),
    coloring(M, Ds),
    once(label(Ds)),
    !.
"""

TRACE_BASE = CSP_TRACE + """
first_colouring :-
    colors(K),
    coloring(K, Cs),
    length(Cs, N),
    numlist(1, N, Nodes),
    once(tlabel(Cs, Nodes)).
"""

TRACE = TRACE_BASE + """
trace_search :-
    first_colouring.
"""

# The second objective: colour counts tried upwards until one admits a colouring.
TRACE_MIN = TRACE_BASE + """
trace_search :-
    first_colouring,
    colors(K),
    between(1, K, M),
    (   coloring(M, Ds), once(label(Ds))
    ->  note(enough(M))
    ;   note(too_few(M)),
        fail
    ),
    !.
"""


@dataclass(frozen=True)
class ColoringConfig(PrologConfig):
    nodes: tuple[tuple[int, int], ...] = ((4, 6), (6, 9), (6, 9))
    colors: tuple[tuple[int, int], ...] = ((2, 3), (3, 4), (3, 4))
    edge_probability: float = 0.45
    max_precolored: int = 2

    def __post_init__(self):
        super().__post_init__()
        for name in ("nodes", "colors"):
            ranges = getattr(self, name)
            require(len(ranges) == 3, name, "one [low, high] range per evolution level (3)")
            for i, (low, high) in enumerate(ranges):
                require(1 <= low <= high <= 20, f"{name}[{i}]", "a range within 1..20")
        require(0.0 <= self.edge_probability <= 1.0, "edge_probability", "must be in [0, 1]")
        require(self.max_precolored >= 0, "max_precolored", "must be >= 0")


class GraphColoring(PrologFamily):
    name = "graph_coloring"
    Config = ColoringConfig

    def build(self, config: ColoringConfig, rng: random.Random) -> Instance:
        n = rng.randint(*config.nodes[config.evolution])
        k = rng.randint(*config.colors[config.evolution])
        edges = [[a, b] for a in range(1, n + 1) for b in range(a + 1, n + 1) if rng.random() < config.edge_probability]
        pre: list[list[int]] = []
        if config.evolution >= 1 and config.max_precolored:
            nodes = rng.sample(range(1, n + 1), min(n, rng.randint(1, config.max_precolored)))
            pre = sorted([v, rng.randint(1, k)] for v in nodes)
        minimum = config.evolution == 2
        facts = [f"nodes({n}).", f"colors({k}).", ":- dynamic edge/2.", ":- dynamic precolored/2."]
        facts += [f"edge({a}, {b})." for a, b in edges] + [f"precolored({v}, {c})." for v, c in pre]
        text = program("\n".join(facts), MODEL, ANSWER_MIN if minimum else ANSWER, clpfd=True)
        statement = (f"A graph has nodes 1 to {n}" + (" and edges " + listing([f"{a}-{b}" for a, b in edges])
                                                   if edges else " and no edges")
                     + f". Colour every node with one of the colours 1 to {k} so that the two ends of every edge "
                     "get different colours.")
        if pre:
            statement += " These nodes already have a colour: " + listing([f"node {v} has colour {c}"
                                                                         for v, c in pre]) + "."
        statement += (" Give the colouring whose list of colours (node 1 first) is smallest in lexicographic "
                      "order.")
        fmt = '{"colors": [colour of node 1, node 2, ...]}'
        if minimum:
            statement += (" Also give the smallest number m such that a valid colouring uses only colours 1 to m "
                          "(pre-coloured nodes keep their colours).")
            fmt = '{"colors": [colour of node 1, node 2, ...], "min_colors": m}'
        return Instance(
            problem={"n": n, "k": k, "edges": edges, "precolored": pre, "minimum": minimum},
            program=text,
            statement=statement,
            answer_format=fmt + ".",
            trace_addon=TRACE_MIN if minimum else TRACE,
            render_trace=csp_renderer(lambda v: f"the colour of node {v}", lambda c: f"colour {c}", {
                "too_few": lambda m: f"With only colours 1 to {m} the constraints have no solution.",
                "enough": lambda m: f"With colours 1 to {m} a colouring exists, so {m} colours are the minimum.",
            }),
            difficulty={"nodes": n, "colors": k, "edges": len(edges), "precolored": len(pre)},
        )


def _levels() -> tuple[dict, ...]:
    c = ColoringConfig
    return (
        level(c, 0),
        level(c, 1),
        level(c, 2),
        level(c, 2, each={"nodes": (10, 13), "colors": (3, 4)}),
        level(c, 2, each={"nodes": (14, 18), "colors": (4, 5)}),
    )


GraphColoring.levels = _levels()
FAMILY = GraphColoring
