"""ASTRO linearisation: a search tree written as one chain of thought that backtracks.

One correct terminal node and up to k wrong terminal nodes with different wrong answers are visited in order:
the trace walks each one's root path, and every jump from a wrong answer back to the node it shares with the
next path is written as a reflection followed by ``Let's go back to where ...`` (or a restart from the
beginning when the shared node is the root). Nodes with a high Q get a short confirmation. The trace always
ends at the correct answer, in the step format of ``reasonry.verifiers.step_trace``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.generators.mcts.search import Node, Tree

INTRO = (
    "Let's solve this step by step.",
    "Let me work through this one step at a time.",
    "I'll take this one step at a time.",
)
REFLECT = (
    "But wait, are we solving the problem correctly so far? {verdict} Let's go back to where {anchor} and try "
    "something else.",
    "Hmm, that does not look right. {verdict} Let me retrace my steps: let's go back to where {anchor}.",
    "Wait, let me double-check. {verdict} Something went wrong along the way, so let's go back to where "
    "{anchor}.",
    "But wait, this cannot be the answer. {verdict} Let's go back to where {anchor} and take another step "
    "from there.",
)
RESTART = (
    "But wait, are we solving the problem correctly so far? {verdict} Let's restart from the beginning.",
    "Hmm, this approach does not work. {verdict} Let me start over from the original problem.",
    "Wait, I should rethink this from scratch. {verdict} Let's go back to the beginning.",
)
VERDICT = (
    "This result is wrong.",
    "That is not the answer the problem asks for.",
    "This does not solve the problem.",
)
CONFIRM = (
    "So far so good: this step holds up.",
    "This looks promising; let's keep going.",
    "Let me check this step... yes, it is right.",
)
CONCLUDE = (
    "This answers the question, and every step on the way checks out.",
    "That is the answer; checking the steps again, they all hold.",
    "This solves the problem.",
)


@dataclass
class Linearisation:
    text: str
    correct: Node
    wrong: list[Node]
    backtracks: list[tuple[Node, Node]] = field(default_factory=list)  # (node left, ancestor returned to)
    confirmations: int = 0


def lowest_common_ancestor(a: Node, b: Node) -> Node:
    ancestors = {id(n) for n in a.path()}
    node: Node | None = b
    while node is not None and id(node) not in ancestors:
        node = node.parent
    if node is None:
        raise ValueError("the two nodes are not in one tree")
    return node


def _step_line(node: Node) -> str:
    return f"Step {node.depth}: {node.step_text()}"


def _anchor(tree: Tree, node: Node) -> str:
    return f"{tree.env.describe(node.state)}, after step {node.depth}"


def pick_wrong(tree: Tree, rng: random.Random, k: int) -> list[Node]:
    """Up to ``k`` wrong terminal nodes with pairwise different answers, in depth-first order of the tree."""
    groups: dict[str, Node] = {}
    for node in tree.terminals():
        if node.correct:
            continue
        key = tree.env.answer_key(node.state)
        best = groups.get(key)
        if best is None or node.visits > best.visits:
            groups[key] = node
    keys = sorted(groups)
    chosen = rng.sample(keys, min(k, len(keys)))
    return sorted((groups[key] for key in chosen), key=lambda n: [p.id for p in n.path()])


def linearise(tree: Tree, correct: Node, wrong: list[Node], rng: random.Random, confirm_q: float) -> Linearisation:
    """The trace; the wrong nodes are visited so that the one sharing the longest prefix with the correct path
    comes last, so the final jump goes back to the deepest shared step."""
    env = tree.env
    wrong = sorted(wrong, key=lambda n: (lowest_common_ancestor(n, correct).depth, [p.id for p in n.path()]))
    lines = [rng.choice(INTRO)]
    result = Linearisation("", correct, list(wrong))
    current = tree.root
    for target in [*wrong, correct]:
        shared = lowest_common_ancestor(current, target)
        if current is not tree.root:
            lines.append(env.terminal_text(current.state))
            verdict = rng.choice(VERDICT)
            if shared is tree.root:
                lines.append(rng.choice(RESTART).format(verdict=verdict))
            else:
                lines.append(rng.choice(REFLECT).format(verdict=verdict, anchor=_anchor(tree, shared)))
            result.backtracks.append((current, shared))
        for node in target.path()[shared.depth + 1:]:
            lines.append(_step_line(node))
            if not node.terminal and node.visits >= 2 and node.q >= confirm_q:
                lines.append(rng.choice(CONFIRM))
                result.confirmations += 1
        current = target
    lines.append(env.terminal_text(correct.state))
    lines.append(rng.choice(CONCLUDE))
    lines.append(f"Final answer: {env.answer(correct.state)}")
    result.text = "\n".join(lines)
    return result


def direct(tree: Tree, correct: Node, rng: random.Random) -> str:
    """The correct path alone."""
    lines = [rng.choice(INTRO)]
    lines += [_step_line(node) for node in correct.path()[1:]]
    lines.append(tree.env.terminal_text(correct.state))
    lines.append(f"Final answer: {tree.env.answer(correct.state)}")
    return "\n".join(lines)
