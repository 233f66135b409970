"""MCTS engine: budgets, determinism, lock-step batching with the symbolic policy, Q values."""

from __future__ import annotations

import random

import pytest

from reasonry.errors import ConfigError
from reasonry.generators.mcts.addition import AdditionEnv
from reasonry.generators.mcts.countdown import CountdownEnv
from reasonry.generators.mcts.equation import EquationEnv
from reasonry.generators.mcts.policy import SymbolicPolicy
from reasonry.generators.mcts.search import Budget, search, search_many

ENVS = {
    "countdown": lambda: CountdownEnv((3, 7, 8, 2), 23),
    "equation": lambda: EquationEnv("3*x + 5", "x - 7"),
    "addition": lambda: AdditionEnv("4867", "975"),
}
BUDGET = Budget(iterations=16, max_depth=6, branching=3, rollouts_per_child=1)


def shape(tree):
    """Everything that defines a tree: structure, step texts and statistics."""
    return [(n.parent.id if n.parent else None, n.step.text if n.step else None, n.visits, round(n.value_sum, 9),
             n.expanded, n.terminal) for n in tree.nodes]


@pytest.mark.parametrize("name", sorted(ENVS))
def test_same_seed_same_tree_other_seed_other_tree(name):
    a = search(ENVS[name](), random.Random(5), SymbolicPolicy(), BUDGET)
    b = search(ENVS[name](), random.Random(5), SymbolicPolicy(), BUDGET)
    c = search(ENVS[name](), random.Random(6), SymbolicPolicy(), BUDGET)
    assert shape(a) == shape(b)
    assert shape(a) != shape(c)


def test_lock_step_gives_the_trees_each_search_gives_alone():
    names = sorted(ENVS) * 2
    seeds = range(len(names))
    alone = [search(ENVS[n](), random.Random(s), SymbolicPolicy(), BUDGET) for n, s in zip(names, seeds, strict=True)]
    policy = SymbolicPolicy()
    run = search_many([ENVS[n]() for n in names], [random.Random(s) for s in seeds], policy, BUDGET)
    assert [shape(t) for t in run.trees] == [shape(t) for t in alone]
    assert policy.calls == run.rounds
    # one call per round for all six trees: fewer calls than the trees would need one at a time
    alone_calls = 0
    for n, s in zip(names, seeds, strict=True):
        p = SymbolicPolicy()
        search(ENVS[n](), random.Random(s), p, BUDGET)
        alone_calls += p.calls
    assert run.rounds < alone_calls
    assert run.rounds >= max(1, alone_calls // len(names))


@pytest.mark.parametrize("name", sorted(ENVS))
def test_budgets_are_kept(name):
    budget = Budget(iterations=7, max_depth=3, branching=2, rollouts_per_child=2)
    tree = search(ENVS[name](), random.Random(1), SymbolicPolicy(), budget)
    assert tree.iterations == 7
    assert tree.max_depth() <= 3
    for node in tree.nodes:
        expanded_children = [c for c in node.children]
        if node.expanded:
            # an expansion adds at most `branching` proposals; rollouts may add one more child each
            assert len(expanded_children) <= budget.branching + budget.rollouts_per_child * budget.iterations
    # every child created by an expansion got its rollouts
    assert tree.root.visits >= budget.rollouts_per_child


@pytest.mark.parametrize("name", sorted(ENVS))
def test_q_is_the_average_of_rewards_below(name):
    tree = search(ENVS[name](), random.Random(2), SymbolicPolicy(), BUDGET)
    for node in tree.nodes:
        assert -1.0 <= node.q <= 1.0
        if node.terminal and node.visits:
            assert node.q == node.reward
        if node.children:
            # a node's visits are its own backups (dead ends, terminals) plus its children's
            assert node.visits >= sum(c.visits for c in node.children)
    assert any(n.terminal and n.reward > 0 for n in tree.nodes)
    assert any(n.terminal and n.reward < 0 for n in tree.nodes)


def test_budget_validation_names_the_field():
    with pytest.raises(ConfigError, match="branching"):
        Budget(branching=0)
    with pytest.raises(ConfigError, match="iterations"):
        Budget(iterations=0)


@pytest.mark.parametrize("name", sorted(ENVS))
def test_model_path_parses_the_steps_it_would_be_shown(name):
    """The model proposer parses completions with ``parse_step``: a proposal's own text must parse back to it,
    and text that is not a step must not."""
    env = ENVS[name]()
    state = env.root()
    rng = random.Random(0)
    for _ in range(3):
        steps = env.propose(state, rng, 3)
        assert steps
        for step in steps:
            parsed = env.parse_step(state, step.text)
            assert parsed is not None and parsed.state == step.state and parsed.text == step.text
        assert env.parse_step(state, "I think the answer is 42") is None
        state = steps[0].state
        if env.is_terminal(state):
            break


def test_equation_steps_are_sympy_checked_and_mistakes_are_real():
    from reasonry.verifiers.math_steps import solution_set

    env = EquationEnv("3*x/2 + 5", "x - 7", skill=0.5)
    rng = random.Random(3)
    frontier = [env.root()]
    kept = changed = 0
    for _ in range(4):
        nxt = []
        for state in frontier:
            if env.is_terminal(state):
                continue
            before = solution_set(*state)
            for step in env.propose(state, rng, 4):
                try:
                    after = solution_set(*step.state)
                except ValueError:
                    after = None
                if after == before:
                    kept += 1
                else:
                    changed += 1  # a mistake: the step claims an operation on both sides but changes the answer
                    assert "=>" in step.text
                nxt.append(step.state)
        frontier = nxt[:12]
    assert kept and changed


def test_addition_mistakes_fail_the_column_check():
    import re

    env = AdditionEnv("4867", "975", skill=0.0)
    state = env.root()
    mistakes = env.propose(state, random.Random(0), 3)  # skill 0: mistakes first (three exist in column 0)
    assert len(mistakes) == 3
    for step in mistakes:
        m = re.match(r"Column 0: fetch a=(\d) b=(\d) c=(\d); sum=(\d+); digit=(\d) c=(\d)", step.text)
        da, db, cin, total, digit, cout = map(int, m.groups())
        sound = (da, db, cin) == (7, 5, 0) and total == 12 and digit == 2 and cout == 1
        assert not sound
    good = AdditionEnv("4867", "975", skill=1.0).propose(state, random.Random(0), 1)[0]
    assert good.text == "Column 0: fetch a=7 b=5 c=0; sum=12; digit=2 c=1"


def test_records_do_not_depend_on_the_process_hash_seed():
    import os
    import subprocess
    import sys

    code = ("from reasonry.registry import get_task\nfrom reasonry.rng import item_rng\n"
            "from reasonry.task import ItemKey\nfrom reasonry.hashing import content_hash\nout = []\n"
            "for name in ['mcts/countdown/astro', 'mcts/equation/astro', 'mcts/addition/direct']:\n"
            "    t = get_task(name); c = t.default_config()\n"
            "    out += [t.generate(c, ItemKey(name, 'train', None, i), item_rng(4, name, i)) for i in range(3)]\n"
            "print(content_hash(out))\n")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(digests) == 1 and next(iter(digests)).strip()
