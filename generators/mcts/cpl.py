"""CPL step preferences and per-step labels from a search tree's Q values.

Two sibling steps (same parent, so the same problem and prefix) whose Q values have opposite signs make a
pair: the step with Q > 0 is chosen over the one with Q < 0. Per-step labels for TRL's stepwise format say,
for each step of a root path, whether its Q is positive.
"""

from __future__ import annotations

from reasonry.generators.mcts.search import Node, Tree

Q_DIGITS = 6


def _q(node: Node) -> float:
    return round(node.q, Q_DIGITS)


def step_line(node: Node) -> str:
    return f"Step {node.depth}: {node.step.text}"


def prefix_prompt(problem: str, parent: Node) -> str:
    lines = [problem, ""] + [step_line(n) for n in parent.path()[1:]]
    return "\n".join(lines).rstrip("\n")


def preference_pairs(tree: Tree, problem: str, max_pairs: int, min_visits: int = 1) -> list[dict]:
    """``{prompt, chosen, rejected, q_chosen, q_rejected, prefix, depth}`` for sibling steps with Q>0 vs Q<0,
    the widest Q gaps first."""
    candidates = []
    for parent in tree.nodes:
        kids = [c for c in parent.children if c.visits >= min_visits]
        good = [c for c in kids if _q(c) > 0]
        bad = [c for c in kids if _q(c) < 0]
        for g in good:
            for b in bad:
                candidates.append((-(g.q - b.q), parent.id, g.id, b.id, parent, g, b))
    candidates.sort(key=lambda c: c[:4])
    pairs = []
    for *_, parent, g, b in candidates[:max_pairs]:
        pairs.append({
            "prompt": prefix_prompt(problem, parent),
            "prefix": [step_line(n) for n in parent.path()[1:]],
            "chosen": step_line(g),
            "rejected": step_line(b),
            "q_chosen": _q(g),
            "q_rejected": _q(b),
            "depth": g.depth,
        })
    return pairs


def step_labels(paths: list[Node], problem: str) -> list[dict]:
    """TRL stepwise rows: for each terminal node given, the problem, its root path's steps, their Q values and
    ``Q > 0`` labels."""
    out = []
    for leaf in paths:
        nodes = leaf.path()[1:]
        out.append({
            "prompt": problem,
            "completions": [step_line(n) for n in nodes],
            "labels": [_q(n) > 0 for n in nodes],
            "q": [_q(n) for n in nodes],
        })
    return out
