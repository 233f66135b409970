"""An independent STRIPS simulator for the PDDL tests: its own s-expression reader and state progression.

It shares no code with reasonry or unified-planning, so agreement between it and the verifier on valid and
corrupted plans is evidence that both read the PDDL the same way. It covers what our domains use: typed
STRIPS with positive conjunctive preconditions and constant action costs.
"""

from __future__ import annotations

import heapq
import re


def sexp(text: str):
    text = re.sub(r";[^\n]*", "", text).lower()
    tokens = re.findall(r"\(|\)|[^\s()]+", text)
    stack: list[list] = [[]]
    for tok in tokens:
        if tok == "(":
            stack.append([])
        elif tok == ")":
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    return stack[0][0]


def _typed(items: list[str]) -> list[tuple[str, str]]:
    out, pending, i = [], [], 0
    while i < len(items):
        if items[i] == "-":
            out += [(name, items[i + 1]) for name in pending]
            pending, i = [], i + 2
        else:
            pending.append(items[i])
            i += 1
    return out + [(name, "object") for name in pending]


def _conj(node) -> list:
    if not node:
        return []
    if node[0] == "and":
        return [a for part in node[1:] for a in _conj(part)]
    return [node]


class Sim:
    def __init__(self, domain_text: str, problem_text: str):
        dom, prob = sexp(domain_text), sexp(problem_text)
        self.parent: dict[str, str] = {}
        self.actions = {}
        for part in dom[2:]:
            if part[0] == ":types":
                self.parent.update(dict(_typed(part[1:])))
            elif part[0] == ":action":
                fields = {part[i]: part[i + 1] for i in range(2, len(part), 2)}
                params = _typed(fields[":parameters"])
                pre = [tuple(a) for a in _conj(fields.get(":precondition", []))]
                add, delete, cost = [], [], 0
                for eff in _conj(fields[":effect"]):
                    if eff[0] == "not":
                        delete.append(tuple(eff[1]))
                    elif eff[0] == "increase":
                        cost += int(eff[2])
                    else:
                        add.append(tuple(eff))
                self.actions[part[1]] = (params, pre, add, delete, cost)
        self.unit = not any(a[4] for a in self.actions.values())
        self.types: dict[str, str] = {}
        for part in prob[2:]:
            if part[0] == ":objects":
                self.types.update(dict(_typed(part[1:])))
            elif part[0] == ":init":
                self.init = frozenset(tuple(a) for a in part[1:] if a[0] != "=")
            elif part[0] == ":goal":
                self.goal = [tuple(a) for a in _conj(part[1])]

    def _is_a(self, t: str, wanted: str) -> bool:
        while True:
            if t == wanted or wanted == "object":
                return True
            if t not in self.parent:
                return False
            t = self.parent[t]

    def ground(self, name: str, args: tuple[str, ...]):
        params, pre, add, delete, cost = self.actions[name]
        if len(args) != len(params):
            raise ValueError("bad arity")
        if any(not self._is_a(self.types[a], t) for a, (_, t) in zip(args, params, strict=True)):
            raise ValueError("bad argument type")
        b = {p: a for (p, _), a in zip(params, args, strict=True)}

        def sub(atoms):
            return [(x[0], *(b.get(y, y) for y in x[1:])) for x in atoms]

        return sub(pre), sub(add), sub(delete), (1 if self.unit else cost)

    def run(self, plan: list[tuple[str, tuple[str, ...]]]) -> tuple[bool, int | None, int]:
        """(valid, 1-based index of the first inapplicable step or None, cost)."""
        state, total = set(self.init), 0
        for i, (name, args) in enumerate(plan, 1):
            pre, add, delete, cost = self.ground(name, args)
            if not all(p in state for p in pre):
                return False, i, total
            state = (state - set(delete)) | set(add)
            total += cost
        return all(g in state for g in self.goal), None, total

    def all_ground(self):
        import itertools

        for name, (params, *_rest) in self.actions.items():
            pools = [[o for o, t in self.types.items() if self._is_a(t, pt)] for _, pt in params]
            for args in itertools.product(*pools):
                yield name, tuple(args), self.ground(name, tuple(args))

    def optimal_cost(self, limit: int = 200_000) -> int | None:
        """Uniform-cost search over reachable states (tiny instances only)."""
        acts = list(self.all_ground())
        start = frozenset(self.init)
        best = {start: 0}
        queue = [(0, 0, start)]
        tick = 0
        while queue:
            cost, _, state = heapq.heappop(queue)
            if cost > best.get(state, cost):
                continue
            if all(g in state for g in self.goal):
                return cost
            for _, _, (pre, add, delete, c) in acts:
                if all(p in state for p in pre):
                    nxt = frozenset((state - set(delete)) | set(add))
                    if cost + c < best.get(nxt, 1 << 60):
                        best[nxt] = cost + c
                        tick += 1
                        heapq.heappush(queue, (cost + c, tick, nxt))
            if len(best) > limit:
                raise RuntimeError("state space too large for the test's search")
        return None


def parse_plan(text: str) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for line in text.strip().splitlines():
        parts = line.strip().strip("()").split()
        out.append((parts[0], tuple(parts[1:])))
    return out
