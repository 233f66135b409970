"""CPL preference pairs and per-step labels from a search tree.

Preference pairs: two sibling steps (same parent, so the same problem and prefix) whose Q values have opposite
signs, the step with Q > 0 chosen over the one with Q < 0, the widest Q gaps first. Each side runs on from
its step to a finished answer in the tree: the chosen side to a correct terminal whose path replays in the
step checker, the rejected side to a wrong terminal. A pair whose step has no such terminal below it is
not made. Each pair keeps its shared prefix, the two continuations and their Q values.

Per-step labels (TRL's stepwise format) say whether each step of a root path is correct as the step checker
sees it: the path up to and including the step replays. The search's Q values go alongside as their own
list; they are value estimates, not correctness.
"""

from __future__ import annotations

from collections.abc import Callable

from reasonry.generators.mcts.search import Node, Tree
from reasonry.verdict import Verdict
from reasonry.verifiers.step_trace import failed_line

Q_DIGITS = 6
FINAL_ANSWER = "Final answer:"


def _q(node: Node) -> float:
    return round(node.q, Q_DIGITS)


def step_line(node: Node) -> str:
    return f"Step {node.depth}: {node.step_text()}"


def finish_lines(tree: Tree, leaf: Node) -> list[str]:
    """The lines that close a path at a terminal node: its terminal text and the final-answer line."""
    return [tree.env.terminal_text(leaf.state), f"{FINAL_ANSWER} {tree.env.answer(leaf.state)}"]


def _subtree_terminals(node: Node) -> list[Node]:
    found, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.terminal:
            found.append(n)
        stack.extend(n.children)
    return found


def _pick(nodes: list[Node]) -> Node | None:
    return min(nodes, key=lambda n: (-n.visits, n.id)) if nodes else None


def preference_pairs(tree: Tree, sound_correct: list[Node], max_pairs: int, min_visits: int = 1) -> list[dict]:
    """``{prefix, chosen, rejected, chosen_answer, rejected_answer, q_chosen, q_rejected, depth}``: ``prefix``
    is the shared steps before the branching state; ``chosen``/``rejected`` are the lines from the branching
    step to the final-answer line, ending at a verified and at a wrong answer."""
    sound = {id(n) for n in sound_correct}
    candidates = []
    for parent in tree.nodes:
        kids = [c for c in parent.children if c.visits >= min_visits]
        good = [c for c in kids if _q(c) > 0]
        bad = [c for c in kids if _q(c) < 0]
        for g in good:
            win = _pick([t for t in _subtree_terminals(g) if id(t) in sound])
            if win is None:
                continue
            for b in bad:
                lose = _pick([t for t in _subtree_terminals(b) if t.reward is not None and t.reward < 0])
                if lose is not None:
                    candidates.append((-(g.q - b.q), parent.id, g.id, b.id, parent, g, b, win, lose))
    candidates.sort(key=lambda c: c[:4])
    pairs = []
    for *_, parent, g, b, win, lose in candidates[:max_pairs]:
        pairs.append({
            "prefix": [step_line(n) for n in parent.path()[1:]],
            "chosen": [step_line(n) for n in win.path()[g.depth:]] + finish_lines(tree, win),
            "rejected": [step_line(n) for n in lose.path()[b.depth:]] + finish_lines(tree, lose),
            "chosen_answer": tree.env.answer(win.state),
            "rejected_answer": tree.env.answer(lose.state),
            "q_chosen": _q(g),
            "q_rejected": _q(b),
            "depth": g.depth,
        })
    return pairs


def step_correctness(tree: Tree, leaf: Node, check_trace: Callable[[str], Verdict]) -> list[bool]:
    """For each step of the root path to ``leaf``: does the path up to and including it replay in the step
    checker? Steps from the first one the checker rejects on are False; a path the checker rejects without
    naming a step (a conclusion that does not follow) has its last step False."""
    nodes = leaf.path()[1:]
    lines = [step_line(n) for n in nodes]
    verdict = check_trace("\n".join([*lines, finish_lines(tree, leaf)[-1]]))
    if verdict.ok:
        return [True] * len(nodes)
    line = failed_line(verdict)
    first_bad = line if line is not None and line < len(nodes) else len(nodes) - 1
    return [i < first_bad for i in range(len(nodes))]


def step_labels(tree: Tree, paths: list[Node], problem: str, check_trace: Callable[[str], Verdict]) -> list[dict]:
    """TRL stepwise rows: for each terminal node given, the problem, its root path's steps, their verified
    correctness (``labels``) and the search's Q values (``q``)."""
    out = []
    for leaf in paths:
        nodes = leaf.path()[1:]
        out.append({
            "prompt": problem,
            "completions": [step_line(n) for n in nodes],
            "labels": step_correctness(tree, leaf, check_trace),
            "q": [_q(n) for n in nodes],
        })
    return out
