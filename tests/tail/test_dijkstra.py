"""TAIL Dijkstra: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import itertools
import random

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import dijkstra
from tests.tail.helpers import make


def _floyd_warshall(n: int, edges: list, source: int) -> list:
    inf = float("inf")
    d = [[0 if i == j else inf for j in range(n)] for i in range(n)]
    for u, v, w in edges:
        d[u][v] = d[v][u] = min(d[u][v], w)
    for k, i, j in itertools.product(range(n), repeat=3):
        if d[i][k] + d[k][j] < d[i][j]:
            d[i][j] = d[i][k] + d[k][j]
    return ["inf" if x == inf else str(x) for x in d[source]]


def test_dijkstra_answer_matches_floyd_warshall():
    rng = random.Random(2)
    for _ in range(200):
        n = rng.randint(1, 12)
        p = rng.random()
        edges = [[u, v, rng.randint(1, 20)] for u in range(n) for v in range(u + 1, n) if rng.random() < p]
        spec = {"n": n, "source": rng.randrange(n), "edges": edges}
        assert dijkstra.answer(spec) == ", ".join(_floyd_warshall(n, edges, spec["source"]))


def test_dijkstra_unreachable_vertices_answer_inf():
    """Vertices 3 and 4 form a component the source cannot reach: their distances are inf."""
    spec = {"task": "tail/dijkstra", "n": 5, "source": 0, "edges": [[0, 1, 4], [1, 2, 1], [0, 2, 7], [3, 4, 2]]}
    assert dijkstra.answer(spec) == "0, 4, 5, inf, inf"
    from reasonry.generators.turing.dijkstra import dijkstra_trace

    for rendering in ("terse", "styled"):
        answer, lines = dijkstra_trace(5, [tuple(e) for e in spec["edges"]], 0, rendering)
        assert answer == "0, 4, 5, inf, inf"
        trace = "\n".join([*lines, f"Final answer: {answer}"])
        assert tail.check_trace(spec, trace).ok
        assert any("3=inf 4=inf" in line and ("stop" in line or "I stop" in line) for line in lines)
        # claiming the stop state reached vertex 3 fails
        bad = trace.replace("3=inf 4=inf;", "3=9 4=inf;", 1)
        assert bad != trace and not tail.check_trace(spec, bad).ok
    assert tail.verify(spec, "[0, 4, 5, inf, inf]").ok
    assert tail.verify(spec, "0, 4, 5, ∞, Infinity").ok
    for wrong in ("0, 4, 5, inf", "0, 4, 5, inf, inf, inf", "0, 4, 5, 0, 0", "0, 4, 5, inf, inf.", "0 4 5 inf inf x"):
        assert not tail.verify(spec, wrong).ok, wrong
    generated = [make("tail/dijkstra", bucket=b, index=i) for b in "SML" for i in range(40)]
    assert any("inf" in r["answer"] for r in generated), "the generator never makes an unreachable vertex"
