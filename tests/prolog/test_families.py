"""Every Prolog family against an independent Python solver, on 20+ instances across evolution levels.

The solvers below share no code with the generators: they read the canonical problem (``Instance.problem``)
and solve it by plain enumeration. SWI-Prolog's printed answer must equal theirs.
"""

from __future__ import annotations

import heapq
import itertools
import random

import pytest

from reasonry.generators.prolog.coloring import GraphColoring
from reasonry.generators.prolog.cryptarithm import Cryptarithm
from reasonry.generators.prolog.kinship import Kinship
from reasonry.generators.prolog.knights import KnightsKnaves
from reasonry.generators.prolog.list_recursion import ListRecursion
from reasonry.generators.prolog.nqueens import NQueens
from reasonry.generators.prolog.scheduling import Scheduling
from reasonry.generators.prolog.shortest_path import ShortestPath
from reasonry.generators.prolog.sudoku import Sudoku
from reasonry.generators.prolog.syllogism import Syllogism
from reasonry.generators.prolog.zebra import Zebra
from reasonry.verifiers.prolog import run_json
from reasonry.verifiers.prolog.output import NO_SOLUTION, normalise

INSTANCES = 21


def first_csp(n_vars: int, domain, ok_partial) -> list | None:
    """Lexicographically smallest assignment (variables in order, values ascending) by backtracking."""
    values: list = []

    def go() -> bool:
        if len(values) == n_vars:
            return True
        for v in domain(len(values)):
            values.append(v)
            if ok_partial(values) and go():
                return True
            values.pop()
        return False

    return list(values) if go() else None


def all_csp(n_vars: int, domain, ok_partial) -> int:
    count = 0
    values: list = []

    def go():
        nonlocal count
        if len(values) == n_vars:
            count += 1
            return
        for v in domain(len(values)):
            values.append(v)
            if ok_partial(values):
                go()
            values.pop()

    go()
    return count


# --- solvers --------------------------------------------------------------------------------------------


def solve_nqueens(p):
    n, blocked = p["n"], {tuple(b) for b in p["blocked"]}

    def ok(qs):
        r = len(qs) - 1
        if (r + 1, qs[r]) in blocked:
            return False
        return all(qs[i] != qs[r] and abs(qs[i] - qs[r]) != r - i for i in range(r))

    first = first_csp(n, lambda i: range(1, n + 1), ok)
    if first is None:
        return NO_SOLUTION
    out = {"queens": first}
    if p["count"]:
        out["solutions"] = all_csp(n, lambda i: range(1, n + 1), ok)
    return out


def solve_coloring(p):
    n, edges, pre = p["n"], p["edges"], dict(map(tuple, p["precolored"]))

    def colouring(k):
        def ok(cs):
            v = len(cs)
            if v in pre and cs[-1] != pre[v]:
                return False
            return all(cs[a - 1] != cs[b - 1] for a, b in edges if max(a, b) == v)
        return first_csp(n, lambda i: range(1, k + 1), ok)

    first = colouring(p["k"])
    if first is None:
        return NO_SOLUTION
    out = {"colors": first}
    if p["minimum"]:
        out["min_colors"] = next(m for m in range(1, p["k"] + 1) if colouring(m) is not None)
    return out


def solve_sudoku(p):
    grid, (r, c), diag = p["puzzle"], p["box"], p["diagonal"]
    n = r * c

    def ok(vals):
        i = len(vals) - 1
        row, col, v = divmod(i, n) + (vals[-1],)
        if grid[row][col] and grid[row][col] != v:
            return False
        for j, w in enumerate(vals[:-1]):
            rr, cc = divmod(j, n)
            if w == v and (rr == row or cc == col or (rr // r == row // r and cc // c == col // c)
                           or (diag and rr == cc and row == col) or (diag and rr + cc == n - 1 and row + col == n - 1)):
                return False
        return True

    first = first_csp(n * n, lambda i: range(1, n + 1), ok)
    return NO_SOLUTION if first is None else {"grid": [first[i * n:(i + 1) * n] for i in range(n)]}


def solve_cryptarithm(p):
    words = p["addends"] + [p["sum"]]
    letters = sorted(set("".join(words)))
    weight = dict.fromkeys(letters, 0)
    for sign, word in [(1, w) for w in p["addends"]] + [(-1, p["sum"])]:
        for pos, ch in enumerate(reversed(word)):
            weight[ch] += sign * 10 ** pos
    leading = {w[0] for w in words}
    weights = [weight[ch] for ch in letters]
    lead_idx = [i for i, ch in enumerate(letters) if ch in leading]
    first, count = None, 0
    for digits in itertools.permutations(range(10), len(letters)):
        if sum(w * d for w, d in zip(weights, digits, strict=True)) == 0 and all(digits[i] for i in lead_idx):
            if first is None:
                first = dict(zip(letters, digits, strict=True))
                if not p["count"]:
                    break
            count += 1
    if first is None:
        return NO_SOLUTION
    return {"assignment": first, "solutions": count} if p["count"] else {"assignment": first}


def solve_scheduling(p):
    """Disjunctive graph: for each order of each machine's tasks, earliest starts by longest paths."""
    dur = {t: d for t, _, d in p["tasks"]}
    release = dict(map(tuple, p["release"]))
    machines: dict[int, list[int]] = {}
    for t, m, _ in p["tasks"]:
        machines.setdefault(m, []).append(t)
    best = None
    for orders in itertools.product(*(itertools.permutations(ts) for ts in machines.values())):
        preds = {t: [a for a, b in p["precedes"] if b == t] for t in dur}
        for order in orders:
            for a, b in itertools.pairwise(order):
                preds[b].append(a)
        start: dict[int, int] = {}
        pending = set(dur)
        while pending:
            ready = [t for t in pending if all(a in start for a in preds[t])]
            if not ready:
                break  # the orders contradict the precedences
            for t in ready:
                start[t] = max([release[t]] + [start[a] + dur[a] for a in preds[t]])
                pending.discard(t)
        if not pending:
            span = max(start[t] + dur[t] for t in dur)
            best = span if best is None else min(best, span)
    return {"makespan": best}


def solve_shortest_path(p):
    adj: dict[str, list[tuple[str, int]]] = {}
    for a, b, w in p["edges"]:
        adj.setdefault(a, []).append((b, w))
    dist, heap = {p["source"]: 0}, [(0, p["source"])]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in adj.get(u, []):
            if d + w < dist.get(v, 1 << 60):
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    if p["target"] not in dist:
        return NO_SOLUTION
    out = {"distance": dist[p["target"]]}
    if p["count"]:
        ways = {p["source"]: 1}
        for v in sorted(dist, key=dist.get):
            if v != p["source"]:
                ways[v] = sum(ways[a] for a, b, w in p["edges"] if b == v and a in dist and dist[a] + w == dist[v])
        out["shortest_paths"] = ways[p["target"]]
    return out


def solve_kinship(p):
    parents_of: dict[str, set[str]] = {}
    children_of: dict[str, set[str]] = {}
    for a, c in p["parents"]:
        parents_of.setdefault(c, set()).add(a)
        children_of.setdefault(a, set()).add(c)
    female = set(p["female"])

    def par(x):
        return parents_of.get(x, set())

    def sibs(x):
        return {s for q in par(x) for s in children_of[q]} - {x}

    def cousins(x):
        return {c for q in par(x) for s in sibs(q) for c in children_of.get(s, set())}

    def ancestors(x):
        out, todo = set(), list(par(x))
        while todo:
            a = todo.pop()
            if a not in out:
                out.add(a)
                todo.extend(par(a))
        return out

    x, rel = p["person"], p["relation"]
    grand = {g for q in par(x) for g in par(q)}
    aunts = {s for q in par(x) for s in sibs(q)}
    found = {
        "grandparent": lambda: grand,
        "sibling": lambda: sibs(x),
        "aunt_or_uncle": lambda: aunts,
        "cousin": lambda: cousins(x),
        "ancestor": lambda: ancestors(x),
        "descendant": lambda: {d for d in set(parents_of) if x in ancestors(d)},
        "second_cousin": lambda: {y for q in par(x) for cq in cousins(q) for y in children_of.get(cq, set())},
        "grandmother": lambda: grand & female,
        "uncle": lambda: aunts - female,
    }[rel]()
    return {"person": x, "relation": rel, "answer": sorted(found)}


def solve_knights(p):
    n = len(p["people"])

    def truth(s, v):
        kind, *a = s
        if kind == "knight":
            return v[a[0] - 1] == 1
        if kind == "knave":
            return v[a[0] - 1] == 0
        if kind == "same":
            return v[a[0] - 1] == v[a[1] - 1]
        if kind == "different":
            return v[a[0] - 1] != v[a[1] - 1]
        if kind == "and":
            return truth(a[0], v) and truth(a[1], v)
        if kind == "or":
            return truth(a[0], v) or truth(a[1], v)
        return sum(v) == a[0]

    sols = [[p["people"][i] for i in range(n) if v[i]] for v in itertools.product((0, 1), repeat=n)
            if all((v[i] == 1) == truth(c, v) for i, c in enumerate(p["claims"]))]
    return {"solutions": sols} if sols else NO_SOLUTION


def solve_list(p):
    value = list(p["input"])
    for name, k in p["stages"]:
        if name == "keep_even":
            value = [x for x in value if x % 2 == 0]
        elif name == "keep_greater":
            value = [x for x in value if x > k]
        elif name == "add_each":
            value = [x + k for x in value]
        elif name == "times_each":
            value = [x * k for x in value]
        elif name == "take":
            value = value[:k]
        elif name == "drop":
            value = value[k:]
        elif name == "reverse_acc":
            value = value[::-1]
        elif name == "prefix_sums":
            value = list(itertools.accumulate(value))
        elif name == "dedup_adjacent":
            value = [x for i, x in enumerate(value) if i == 0 or value[i - 1] != x]
        elif name == "insertion_sort":
            value = sorted(value)
        elif name == "sum_rec":
            value = sum(value)
        elif name == "max_rec":
            if not value:
                return NO_SOLUTION
            value = max(value)
        elif name == "len_rec":
            value = len(value)
        else:
            raise AssertionError(name)
    return {"result": value}


def solve_syllogism(p):
    alls = {(a, b) for k, a, b in p["premises"] if k == "all"}
    nos = {frozenset((a, b)) for k, a, b in p["premises"] if k == "no"}
    somes = [(a, b) for k, a, b in p["premises"] if k == "some"]

    def up(x):
        seen, todo = {x}, [x]
        while todo:
            c = todo.pop()
            for a, b in alls:
                if a == c and b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen

    q = p["question"]
    x, y = q["x"], q["y"]
    if q["kind"] == "all" and "supersets" in p.get("_want", ()):
        return {"supersets": sorted(up(x))}
    if q["kind"] == "all":
        return {"follows": y in up(x)}
    if q["kind"] == "no":
        return {"follows": any(frozenset((a, b)) in nos for a in up(x) for b in up(y))}
    return {"follows": any((x in up(a) and y in up(b)) or (x in up(b) and y in up(a)) for a, b in somes)}


def solve_zebra(p):
    attrs = list(p["attributes"].values())
    n = len(attrs[0])
    values = [v for group in attrs for v in group]
    solutions = []
    for perms in itertools.product(*(itertools.permutations(range(1, n + 1)) for _ in attrs)):
        house = {v: h for group, perm in zip(attrs, perms, strict=True) for v, h in zip(group, perm, strict=True)}
        ok = True
        for kind, a, b in p["clues"]:
            if kind == "same":
                ok = house[a] == house[b]
            elif kind == "left_of":
                ok = house[a] + 1 == house[b]
            elif kind == "next_to":
                ok = abs(house[a] - house[b]) == 1
            elif kind == "in_house":
                ok = house[a] == b
            else:
                ok = house[a] != b
            if not ok:
                break
        if ok:
            solutions.append([house[v] for v in values])
    if not solutions:
        return NO_SOLUTION
    first = min(solutions)
    rows = [[v for v, h in zip(values, first, strict=True) if h == i] for i in range(1, n + 1)]
    return {"houses": rows, "solutions": len(solutions)}


CASES = {
    "nqueens": (NQueens, solve_nqueens),
    "graph_coloring": (GraphColoring, solve_coloring),
    "sudoku": (Sudoku, solve_sudoku),
    "cryptarithm": (Cryptarithm, solve_cryptarithm),
    "scheduling": (Scheduling, solve_scheduling),
    "shortest_path": (ShortestPath, solve_shortest_path),
    "kinship": (Kinship, solve_kinship),
    "knights_knaves": (KnightsKnaves, solve_knights),
    "list_recursion": (ListRecursion, solve_list),
    "syllogism": (Syllogism, solve_syllogism),
    "zebra": (Zebra, solve_zebra),
}


@pytest.mark.parametrize("family", list(CASES))
def test_swi_prolog_agrees_with_an_independent_solver(family):
    family_class, solver = CASES[family]
    fam = family_class()
    compared = 0
    for i in range(INSTANCES):
        config = fam.Config(evolution=i % 3)
        inst = fam.build(config, random.Random(f"{family}-{i}"))
        if inst is None:
            continue
        problem = dict(inst.problem)
        if family == "syllogism" and config.evolution == 2:
            problem["_want"] = ("supersets",)
        printed, _ = run_json(inst.program, time_limit=config.time_limit, inference_limit=config.inference_limit)
        expected = solver(problem)
        assert normalise(printed) == normalise(expected), f"{family} #{i}: {problem}"
        compared += 1
    assert compared >= 20, f"only {compared} instances"
