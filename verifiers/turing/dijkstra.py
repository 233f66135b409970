"""Checks for tail/dijkstra: distances in vertex order, ``inf`` for an unreachable vertex.

``answer`` uses Bellman-Ford relaxation rounds (a different algorithm from the trace's); the trace replay runs
its own Dijkstra (smallest tentative distance first, ties to the lower vertex, neighbours in increasing order)
and compares every selection and relaxation state.
"""

from __future__ import annotations

import re

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, both, lockstep

INF = "inf"
_N = r"(\d+)"
_D = r"(\d+|inf)"
_LIST = r"(\d+=(?:\d+|inf)(?: \d+=(?:\d+|inf))*)"
_EDGES = r"(none|\d+-\d+:\d+(?: \d+-\d+:\d+)*)"
PATTERNS = {
    "graph": both(rf"Graph: {_EDGES}; source={_N}",
                  rf"The undirected graph has edges {_EDGES}, and the source is vertex {_N}\."),
    "init": both(rf"Init: dist {_LIST}",
                 rf"Start: the source gets distance 0 and every other vertex inf, so dist is {_LIST}\."),
    "select": both(rf"State {_N}: fetch unvisited {_LIST}; pick {_N} \(dist {_N}\)",
                   rf"Step {_N}: the unvisited vertices have dist {_LIST}; the smallest is vertex {_N} with {_N}, "
                   rf"so I visit it\."),
    "stop": both(rf"State {_N}: fetch unvisited {_LIST}; none reachable; stop",
                 rf"Step {_N}: the unvisited vertices have dist {_LIST}; none of them can be reached, so I stop\."),
    "relax": both(rf"State {_N}: relax {_N}-{_N}: fetch dist\[{_N}\]={_N} w={_N} dist\[{_N}\]={_D}; "
                  rf"{_N}\+{_N}={_N}(<|>=){_D}; dist\[{_N}\]={_N}",
                  rf"Step {_N}: edge {_N}-{_N}: dist\[{_N}\] = {_N}, weight {_N}, dist\[{_N}\] = {_D}; "
                  rf"{_N} \+ {_N} = {_N} (<|>=) {_D}, so dist\[{_N}\] is now {_N}\."),
    "result": both(rf"Distances: {_LIST}", rf"The shortest distances are {_LIST}\."),
}
_ANSWER_INF = {"inf", "infinity", "∞"}


def _graph(spec: dict) -> tuple[int, list[tuple[int, int, int]], int]:
    n, source = int(spec["n"]), int(spec["source"])
    edges = [(int(u), int(v), int(w)) for u, v, w in spec["edges"]]
    # Bellman-Ford costs n * |E|: bounded so a hostile spec is refused rather than run
    if not 1 <= n <= 200 or not 0 <= source < n or len(edges) > 5_000:
        raise ValueError("need 1 <= n <= 200, a source in range and at most 5000 edges")
    for u, v, w in edges:
        if not (0 <= u < n and 0 <= v < n) or w < 0:
            raise ValueError("edge outside the graph or negative weight")
    return n, edges, source


def distances(spec: dict) -> list[int | None]:
    """Bellman-Ford: relax every edge both ways until nothing changes (None = unreachable)."""
    n, edges, source = _graph(spec)
    dist: list[int | None] = [None] * n
    dist[source] = 0
    for _ in range(n):
        changed = False
        for u, v, w in edges:
            for a, b in ((u, v), (v, u)):
                if dist[a] is not None and (dist[b] is None or dist[a] + w < dist[b]):
                    dist[b] = dist[a] + w
                    changed = True
        if not changed:
            break
    return dist


def answer(spec: dict) -> str:
    return ", ".join(INF if d is None else str(d) for d in distances(spec))


def _tokens(text: str) -> list[str] | None:
    text = text.strip()
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "()"):
        text = text[1:-1]
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        if part in _ANSWER_INF:
            out.append(INF)
        elif re.fullmatch(r"\d+", part):
            out.append(str(int(part)))
        else:
            return None
    return out


def same(candidate: str, gold: str) -> bool:
    return _tokens(candidate) == gold.split(", ")


def expected_states(spec: dict) -> list[Expected]:
    n, edges, source = _graph(spec)
    weight: list[dict[int, int]] = [{} for _ in range(n)]
    for u, v, w in edges:
        weight[u][v] = weight[v][u] = w

    def show(d):
        return INF if d is None else str(d)

    def listing(vertices):
        return " ".join(f"{v}={show(dist[v])}" for v in vertices)

    dist: list[int | None] = [None] * n
    dist[source] = 0
    edge_text = " ".join(f"{u}-{v}:{w}" for u, v, w in edges) or "none"
    states: list[Expected] = [("graph", (edge_text, str(source))), ("init", (listing(range(n)),))]
    done = [False] * n
    step = 0
    while not all(done):
        step += 1
        open_vertices = [v for v in range(n) if not done[v]]
        best = None
        for v in open_vertices:
            if dist[v] is not None and (best is None or dist[v] < dist[best]):
                best = v
        if best is None:
            states.append(("stop", (str(step), listing(open_vertices))))
            break
        states.append(("select", (str(step), listing(open_vertices), str(best), str(dist[best]))))
        done[best] = True
        for v in range(n):
            if v not in weight[best] or done[v]:
                continue
            step += 1
            du, w, dv = dist[best], weight[best][v], dist[v]
            total = du + w
            op = "<" if dv is None or total < dv else ">="
            if op == "<":
                dist[v] = total
            b, vs = str(best), str(v)
            states.append(("relax", (str(step), b, vs, b, str(du), str(w), vs, show(dv), str(du), str(w),
                                     str(total), op, show(dv), vs, show(dist[v]))))
    states.append(("result", (listing(range(n)),)))
    return states


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return lockstep(trace, expected_states(spec), PATTERNS, lambda final: same(final, gold))
