"""Checks for tail/dijkstra: distances in vertex order, ``inf`` for an unreachable vertex.

``answer`` uses Bellman-Ford relaxation rounds (a different algorithm from the trace's); the trace replay runs
its own Dijkstra (smallest tentative distance first, ties to the lower vertex, neighbours in increasing order)
and compares every selection and relaxation state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import DIJKSTRA

INF = "inf"
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
                da, db = dist[a], dist[b]
                if da is not None and (db is None or da + w < db):
                    dist[b] = da + w
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


def expected_states(spec: dict) -> Iterator[State]:
    n, edges, source = _graph(spec)
    weight: list[dict[int, int]] = [{} for _ in range(n)]
    for u, v, w in edges:
        weight[u][v] = weight[v][u] = w

    def show(d: int | None) -> str:
        return INF if d is None else str(d)

    def listing(vertices: Iterable[int]) -> str:
        return " ".join(f"{v}={show(dist[v])}" for v in vertices)

    dist: list[int | None] = [None] * n
    dist[source] = 0
    yield "graph", {"edges": " ".join(f"{u}-{v}:{w}" for u, v, w in edges) or "none", "source": source}
    yield "init", {"dist": listing(range(n))}
    done = [False] * n
    step = 0
    while not all(done):
        step += 1
        open_vertices = [v for v in range(n) if not done[v]]
        best: int | None = None
        for v in open_vertices:
            d = dist[v]
            if d is not None and (best is None or d < (dist[best] or 0)):
                best = v
        if best is None:
            yield "stop", {"step": step, "dist": listing(open_vertices)}
            break
        du = dist[best] or 0
        yield "select", {"step": step, "dist": listing(open_vertices), "u": best, "du": du}
        done[best] = True
        for v in range(n):
            if v not in weight[best] or done[v]:
                continue
            step += 1
            w, dv = weight[best][v], dist[v]
            lower = dv is None or du + w < dv
            if lower:
                dist[v] = du + w
            yield "relax", {"step": step, "u": best, "v": v, "du": du, "w": w, "dv": show(dv), "total": du + w,
                            "op": "<" if lower else ">=", "new": show(dist[v])}
    yield "result", {"dist": listing(range(n))}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return replay(trace, DIJKSTRA, expected_states(spec), lambda final: same(final, gold))
