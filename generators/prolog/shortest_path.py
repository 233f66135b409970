"""prolog/shortest_path: shortest distance in a generated weighted directed graph (Dijkstra in Prolog).

Evolution: 0 = 5-7 nodes; 1 = 8-10 nodes; 2 = 8-10 nodes and a second objective, the number of distinct
shortest paths. An unreachable target has no solution.

Difficulty levels (``difficulty: N``): 1-3 = evolution 0-2, then counting shortest paths on 11-13 and 14-16
nodes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.config import require
from reasonry.generators.prolog.common import Instance, PrologConfig, PrologFamily, level, listing, program

MODEL = """
% Dijkstra over a frontier of Distance-Node pairs kept sorted by distance; Done holds Node-Distance.
dijkstra([], Done, Done).
dijkstra([D-N|Frontier], Done0, Done) :-
    (   memberchk(N-_, Done0)
    ->  dijkstra(Frontier, Done0, Done)
    ;   findall(D1-M, (edge(N, M, W), \\+ memberchk(M-_, Done0), D1 is D + W), Next),
        append(Frontier, Next, Frontier1),
        keysort(Frontier1, Frontier2),
        dijkstra(Frontier2, [N-D|Done0], Done)
    ).

distances(Done) :-
    source(S),
    dijkstra([0-S], [], Done).

% Shortest paths into V arrive over an edge U->V with dist(U) + W = dist(V).
paths(_, S, S, 1) :- !.
paths(Done, S, V, Count) :-
    memberchk(V-DV, Done),
    findall(C, (edge(U, V, W), memberchk(U-DU, Done), DU + W =:= DV, paths(Done, S, U, C)), Cs),
    sum_list(Cs, Count).
"""

ANSWER = """
answer(_{distance: D}) :-
    distances(Done),
    target(T),
    memberchk(T-D, Done).
"""

ANSWER_COUNT = """
answer(_{distance: D, shortest_paths: Count}) :-
    distances(Done),
    source(S),
    target(T),
    memberchk(T-D, Done),
    paths(Done, S, T, Count).
"""

TRACE = """
tdijkstra([], _).
tdijkstra([D-N|Frontier], Done0) :-
    (   memberchk(N-_, Done0)
    ->  tdijkstra(Frontier, Done0)
    ;   findall([M, D1], (edge(N, M, W), \\+ memberchk(M-_, Done0), D1 is D + W), Relaxed),
        note(settle(N, D, Relaxed)),
        findall(D1-M, member([M, D1], Relaxed), Next),
        append(Frontier, Next, Frontier1),
        keysort(Frontier1, Frontier2),
        tdijkstra(Frontier2, [N-D|Done0])
    ).

trace_search :-
    source(S),
    tdijkstra([0-S], []).
"""


def render(events: list, value: dict) -> list[str]:
    lines = ["Run Dijkstra's algorithm from the source: repeatedly settle the closest unsettled node."]
    for tag, node, dist, relaxed in events:
        if tag != "settle":
            continue
        text = f"Settle {node} at distance {dist}."
        if relaxed:
            text += " Its edges offer " + listing([f"{m} at {d}" for m, d in relaxed]) + "."
        else:
            text += " It has no edge to an unsettled node."
        lines.append(text)
    if "distance" in value:
        lines.append(f"The target is settled at distance {value['distance']}.")
        if "shortest_paths" in value:
            lines.append("Counting, for every node, the paths that arrive over edges with "
                         "dist(u) + w = dist(v) gives " + f"{value['shortest_paths']} shortest path(s).")
    else:
        lines.append("The frontier runs empty before the target is reached: it is unreachable.")
    return lines


NODES = "abcdefghijklmnop"


@dataclass(frozen=True)
class ShortestPathConfig(PrologConfig):
    nodes: tuple[tuple[int, int], ...] = ((5, 7), (8, 10), (8, 10))
    edge_probability: float = 0.3
    max_weight: int = 9

    def __post_init__(self):
        super().__post_init__()
        require(len(self.nodes) == 3, "nodes", "one range per evolution level (3)")
        for i, (low, high) in enumerate(self.nodes):
            require(2 <= low <= high <= len(NODES), f"nodes[{i}]", f"a range within 2..{len(NODES)}")
        require(0.0 < self.edge_probability <= 1.0, "edge_probability", "must be in (0, 1]")
        require(1 <= self.max_weight <= 99, "max_weight", "must be in 1..99")


class ShortestPath(PrologFamily):
    name = "shortest_path"
    Config = ShortestPathConfig

    def build(self, config: ShortestPathConfig, rng: random.Random) -> Instance:
        n = rng.randint(*config.nodes[config.evolution])
        names = list(NODES[:n])
        # Small weights make ties, hence several shortest paths, common.
        edges = [[a, b, rng.randint(1, config.max_weight)] for a in names for b in names
                 if a != b and rng.random() < config.edge_probability]
        source, target = rng.sample(names, 2)
        count = config.evolution == 2
        facts = [f"source({source}).", f"target({target}).", ":- dynamic edge/3."]
        facts += [f"edge({a}, {b}, {w})." for a, b, w in edges]
        text = program("\n".join(facts), MODEL, ANSWER_COUNT if count else ANSWER)
        statement = (f"A directed graph has nodes {listing(names)} and these one-way edges with lengths: "
                     + (listing([f"{a}->{b} ({w})" for a, b, w in edges]) if edges else "none")
                     + f". What is the length of the shortest path from {source} to {target}?")
        fmt = '{"distance": length}'
        if count:
            statement += " Also count how many different paths have that shortest length."
            fmt = '{"distance": length, "shortest_paths": number of shortest paths}'
        return Instance(
            problem={"nodes": names, "edges": edges, "source": source, "target": target, "count": count},
            program=text,
            statement=statement,
            answer_format=fmt + ".",
            trace_addon=TRACE,
            render_trace=render,
            difficulty={"nodes": n, "edges": len(edges)},
        )


def _levels() -> tuple[dict, ...]:
    c = ShortestPathConfig
    return (
        level(c, 0),
        level(c, 1),
        level(c, 2),
        level(c, 2, each={"nodes": (11, 13)}),
        level(c, 2, each={"nodes": (14, 16)}),
    )


ShortestPath.levels = _levels()
FAMILY = ShortestPath
