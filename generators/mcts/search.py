"""PUCT Monte-Carlo tree search over many trees in lock-step.

Each tree's search is a coroutine that yields the proposals it needs (expanding a leaf, or one step of each
of its rollouts) and is resumed with the policy's answers. The driver gathers the requests of every tree that
is waiting, asks the policy once for all of them, and resumes the trees: with a model policy that is one
batched model request per round however many trees run, instead of one per node.

Values are in [-1, 1]: a terminal state scores the verifier's reward (+1 right, -1 wrong); a dead end (no
legal step) or the depth limit scores -1. After a leaf is expanded, every new child is scored by
``rollouts_per_child`` rollouts; rollout steps are kept in the tree (as unexpanded nodes), so the terminal
states they reach are available for linearisation and their Q values are rollout averages.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reasonry.config import require
from reasonry.generators.mcts.env import Environment, Step

DEAD_END = -1.0


@dataclass(frozen=True)
class Budget:
    iterations: int = 24      # selections per tree
    max_depth: int = 8        # steps from the root; deeper states count as dead ends
    branching: int = 4        # proposals asked for when a leaf is expanded
    rollouts_per_child: int = 1
    c_puct: float = 1.5

    def __post_init__(self):
        require(self.iterations >= 1, "iterations", f"must be >= 1, got {self.iterations}")
        require(self.max_depth >= 1, "max_depth", f"must be >= 1, got {self.max_depth}")
        require(self.branching >= 1, "branching", f"must be >= 1, got {self.branching}")
        require(self.rollouts_per_child >= 0, "rollouts_per_child", f"must be >= 0, got {self.rollouts_per_child}")
        require(self.c_puct > 0, "c_puct", f"must be > 0, got {self.c_puct}")


class Node:
    __slots__ = ("id", "parent", "step", "state", "depth", "children", "visits", "value_sum", "expanded",
                 "terminal", "reward")

    def __init__(self, id: int, parent: Node | None, step: Step | None, state: Any, terminal: bool,
                 reward: float | None):
        self.id = id
        self.parent = parent
        self.step = step
        self.state = state
        self.depth: int = 0 if parent is None else parent.depth + 1
        self.children: list[Node] = []
        self.visits = 0
        self.value_sum = 0.0
        self.expanded = False
        self.terminal = terminal
        self.reward = reward

    @property
    def correct(self) -> bool:
        """A terminal node whose answer the verifier accepts."""
        return self.reward is not None and self.reward > 0

    def score(self, otherwise: float) -> float:
        """The verifier's reward of a terminal node; ``otherwise`` for any other node."""
        return self.reward if self.reward is not None else otherwise

    def step_text(self) -> str:
        """The text of the step that led here."""
        if self.step is None:
            raise ValueError("the root is reached by no step")
        return self.step.text

    @property
    def q(self) -> float:
        return self.value_sum / self.visits if self.visits else 0.0

    def path(self) -> list[Node]:
        """Root to this node, both included."""
        nodes = []
        node: Node | None = self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return nodes[::-1]

    def is_ancestor_of(self, other: Node) -> bool:
        node = other.parent
        while node is not None:
            if node is self:
                return True
            node = node.parent
        return False


class Tree:
    """One problem's search tree. ``rng`` is the item's generator: every random choice comes from it."""

    def __init__(self, env: Environment, rng: random.Random):
        self.env = env
        self.rng = rng
        self.nodes: list[Node] = []
        self.root = self._new(None, None, env.root())
        self.iterations = 0

    def _new(self, parent: Node | None, step: Step | None, state: Any) -> Node:
        terminal = self.env.is_terminal(state)
        node = Node(len(self.nodes), parent, step, state, terminal, self.env.reward(state) if terminal else None)
        self.nodes.append(node)
        if parent is not None:
            parent.children.append(node)
        return node

    def child(self, parent: Node, step: Step) -> Node:
        """The child reached by ``step``; one node per distinct step text."""
        for node in parent.children:
            if node.step_text() == step.text:
                return node
        return self._new(parent, step, step.state)

    def terminals(self) -> list[Node]:
        return [n for n in self.nodes if n.terminal]

    def max_depth(self) -> int:
        return max(n.depth for n in self.nodes)


@dataclass
class Request:
    """Proposals wanted for one state of one tree."""

    tree: int
    env: Environment
    state: Any
    path: list[str]   # the step texts from the root to the state
    k: int
    rng: random.Random


class Policy(Protocol):
    def propose(self, requests: Sequence[Request]) -> list[list[Step]]:
        """Proposals for each request, in order; called once per round for all waiting trees."""


@dataclass
class SearchRun:
    trees: list[Tree]
    rounds: int = 0
    proposals_asked: int = 0
    stats: dict = field(default_factory=dict)


def _backup(leaf: Node, value: float) -> None:
    node: Node | None = leaf
    while node is not None:
        node.visits += 1
        node.value_sum += value
        node = node.parent


def _select_child(node: Node, c_puct: float) -> Node:
    prior = 1.0 / len(node.children)
    scale = c_puct * prior * math.sqrt(node.visits + 1)
    return max(node.children, key=lambda c: c.q + scale / (1 + c.visits))


def _texts(node: Node) -> list[str]:
    return [n.step_text() for n in node.path()[1:]]


SearchCoroutine = Generator[list[Request], list[list[Step]], None]


def _iteration(index: int, tree: Tree, budget: Budget) -> SearchCoroutine:
    node = tree.root
    while node.expanded and node.children and not node.terminal:
        node = _select_child(node, budget.c_puct)
    if node.terminal:
        _backup(node, node.score(DEAD_END))
        return
    if node.depth >= budget.max_depth:
        _backup(node, DEAD_END)
        return
    if not node.expanded:
        (proposals,) = yield [Request(index, tree.env, node.state, _texts(node), budget.branching, tree.rng)]
        node.expanded = True
        for step in proposals:
            tree.child(node, step)
    if not node.children:
        _backup(node, DEAD_END)  # expanded, but no legal step was proposed: a dead end
        return
    fresh = [c for c in node.children if c.visits == 0] or [_select_child(node, budget.c_puct)]
    if budget.rollouts_per_child == 0:
        for child in fresh:
            _backup(child, child.score(0.0))
        return
    walkers = [child for child in fresh for _ in range(budget.rollouts_per_child)]
    while True:
        waiting = [i for i, w in enumerate(walkers) if not w.terminal and w.depth < budget.max_depth]
        if not waiting:
            break
        answers = yield [Request(index, tree.env, walkers[i].state, _texts(walkers[i]), 1, tree.rng)
                         for i in waiting]
        stuck = set()
        for i, steps in zip(waiting, answers, strict=True):
            if steps:
                walkers[i] = tree.child(walkers[i], steps[0])
            else:
                _backup(walkers[i], DEAD_END)
                stuck.add(i)
        walkers = [w for i, w in enumerate(walkers) if i not in stuck]
    for w in walkers:
        _backup(w, w.score(DEAD_END))


def _run(index: int, tree: Tree, budget: Budget) -> SearchCoroutine:
    for _ in range(budget.iterations):
        tree.iterations += 1
        yield from _iteration(index, tree, budget)


def search_many(envs: Sequence[Environment], rngs: Sequence[random.Random], policy: Policy,
                budget: Budget) -> SearchRun:
    """Search one tree per environment, all in lock-step; one ``policy.propose`` call per round."""
    trees = [Tree(env, rng) for env, rng in zip(envs, rngs, strict=True)]
    run = SearchRun(trees)
    coroutines = {i: _run(i, tree, budget) for i, tree in enumerate(trees)}
    waiting: dict[int, list[Request]] = {}
    for i, co in list(coroutines.items()):
        try:
            waiting[i] = next(co)
        except StopIteration:
            del coroutines[i]
    while waiting:
        order = sorted(waiting)
        batch = [r for i in order for r in waiting[i]]
        answers = policy.propose(batch)
        if len(answers) != len(batch):
            raise RuntimeError(f"policy answered {len(answers)} of {len(batch)} requests")
        run.rounds += 1
        run.proposals_asked += len(batch)
        at = 0
        resumed: dict[int, list[Request]] = {}
        for i in order:
            part, at = answers[at:at + len(waiting[i])], at + len(waiting[i])
            try:
                resumed[i] = coroutines[i].send(part)
            except StopIteration:
                del coroutines[i]
        waiting = resumed
    return run


def search(env: Environment, rng: random.Random, policy: Policy, budget: Budget) -> Tree:
    return search_many([env], [rng], policy, budget).trees[0]
