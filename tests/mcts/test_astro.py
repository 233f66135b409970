"""ASTRO traces and CPL preferences: backtracks go to ancestors, the final answer verifies, wrong branches end
at different wrong answers, preference pairs share their prefix and are ordered by Q."""

from __future__ import annotations

import pytest

from reasonry.exports import preference_rows, stepwise_rows
from reasonry.generators.mcts import astro
from reasonry.generators.mcts.policy import SymbolicPolicy
from reasonry.generators.mcts.search import search
from reasonry.registry import get_task, get_verifier
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verifiers.step_trace import STEP, read

ASTRO = ["mcts/countdown/astro", "mcts/equation/astro", "mcts/addition/astro"]
DIRECT = ["mcts/countdown/direct", "mcts/equation/direct", "mcts/addition/direct"]
ITEMS = range(6)


def searched(name, index, seed=11):
    """The task's own search and linearisation, step by step, for one item."""
    task = get_task(name)
    config = task.default_config()
    rng = item_rng(seed, name, index)
    env = task.make_env(config, rng)
    tree = search(env, rng, SymbolicPolicy(), config.budget())
    correct = task.sound_correct(tree)
    if not correct:
        return None
    wrong = astro.pick_wrong(tree, rng, config.max_wrong)
    if len(wrong) < config.min_wrong:
        return None
    lin = astro.linearise(tree, correct[0], wrong, rng, config.confirm_q)
    record = task.generate(config, ItemKey(name, "train", None, index), item_rng(seed, name, index))
    return task, tree, lin, record


def cases(names):
    out = []
    for name in names:
        for index in ITEMS:
            out.append(pytest.param(name, index, id=f"{name}-{index}"))
    return out


@pytest.mark.parametrize("name,index", cases(ASTRO))
def test_astro_trace(name, index):
    # a draw may give no record (the pipeline counts it); take the first draw from this index on that gives one
    found = next((f for i in range(index * 20, index * 20 + 20) if (f := searched(name, i)) is not None), None)
    assert found is not None, "twenty draws in a row gave no record"
    task, tree, lin, record = found
    # the record is exactly this linearisation
    assert record["trace"] == lin.text
    env = tree.env

    # every backtrack leaves a wrong terminal node for one of its ancestors
    assert len(lin.backtracks) == len(lin.wrong) >= 1
    for left, back_to in lin.backtracks:
        assert left.terminal and left.reward < 0
        assert back_to.is_ancestor_of(left)

    # the trace text does the same: replaying it, each backtrack keeps exactly the ancestor's path
    lines = lin.text.split("\n")
    path: list[str] = []
    jumps = []
    for line in lines:
        m = STEP.match(line)
        if not m:
            continue
        k = int(m.group(1))
        if k <= len(path):
            jumps.append(list(path[: k - 1]))
            left_path = list(path)
            del path[k - 1:]
            assert left_path[: k - 1] == path
        path.append(m.group(2))
    ancestors = [[n.step.text for n in back_to.path()[1:]] for _, back_to in lin.backtracks]
    assert jumps == ancestors
    # ... and the surviving path is the correct node's path
    assert path == [n.step.text for n in lin.correct.path()[1:]]

    # the final answer is the correct node's, and it verifies (and so does the whole trace)
    verifier = get_verifier(record["verifier"]["kind"])
    spec = record["verifier"]["spec"]
    assert lines[-1] == f"Final answer: {record['answer']}"
    assert record["answer"] == env.answer(lin.correct.state)
    assert verifier.verify(spec, record["answer"]).ok
    assert verifier.check_trace(spec, record["trace"]).ok
    assert read(record["trace"]).backtracks == len(lin.wrong)

    # wrong branches end at wrong answers, all different from each other
    keys = [env.answer_key(n.state) for n in lin.wrong]
    assert len(set(keys)) == len(keys)
    for node in lin.wrong:
        assert not verifier.verify(spec, env.answer(node.state)).ok
    assert record["meta"]["search"]["backtracks"] == len(lin.wrong)

    # the wrong path closest to the correct one is the last before it
    shared = [astro.lowest_common_ancestor(n, lin.correct).depth for n in lin.wrong]
    assert shared == sorted(shared)

    # confirmations follow exactly the non-terminal steps with a high Q (and enough visits to trust it)
    config = task.default_config()
    expected, current = 0, tree.root
    for target in [*lin.wrong, lin.correct]:
        shared_node = astro.lowest_common_ancestor(current, target)
        for node in target.path()[shared_node.depth + 1:]:
            expected += (not node.terminal) and node.visits >= 2 and node.q >= config.confirm_q
        current = target
    confirm_lines = [line for line in lines if line in astro.CONFIRM]
    assert len(confirm_lines) == lin.confirmations == expected
    for i, line in enumerate(lines):
        if line in astro.CONFIRM:
            assert STEP.match(lines[i - 1]), "a confirmation follows a step"
    assert record["meta"]["search"]["wrong_answers"] == [env.answer(n.state) for n in lin.wrong]


@pytest.mark.parametrize("name,index", cases(ASTRO[:1] + DIRECT))
def test_preference_pairs_and_step_labels(name, index):
    task = get_task(name)
    config = task.default_config()
    record = next((r for i in range(index * 20, index * 20 + 20)
                   if (r := task.generate(config, ItemKey(name, "train", None, i), item_rng(3, name, i)))), None)
    assert record is not None, "twenty draws in a row gave no record"
    pairs = record["meta"]["preferences"]
    assert len(pairs) <= config.max_pairs
    verifier = get_verifier(record["verifier"]["kind"])
    spec = record["verifier"]["spec"]
    for pair in pairs:
        assert pair["q_chosen"] > 0 > pair["q_rejected"]
        depth = len(pair["prefix"]) + 1
        assert pair["chosen"][0].startswith(f"Step {depth}: ") and pair["rejected"][0].startswith(f"Step {depth}: ")
        assert pair["chosen"][0] != pair["rejected"][0]
        # each side runs from the branching step to a finished answer: the chosen one replays, the other fails
        chosen, rejected = "\n".join(pair["prefix"] + pair["chosen"]), "\n".join(pair["prefix"] + pair["rejected"])
        assert chosen.endswith(f"Final answer: {pair['chosen_answer']}")
        assert rejected.endswith(f"Final answer: {pair['rejected_answer']}")
        assert verifier.check_trace(spec, chosen).ok
        assert not verifier.check_trace(spec, rejected).ok
        assert not verifier.verify(spec, pair["rejected_answer"]).ok
    for row in record["meta"]["step_labels"]:
        assert row["prompt"] == record["prompt"]
        assert len(row["completions"]) == len(row["labels"]) == len(row["q"]) >= 1
        assert all(isinstance(label, bool) for label in row["labels"])
        # verified correctness: a True never follows a False (a step after a wrong one is on a wrong path)
        assert row["labels"] == sorted(row["labels"], reverse=True)
    assert all(record["meta"]["step_labels"][-1]["labels"]), "the correct path's steps are all correct"
    # the last stepwise row is the correct path: it is the direct trace's steps
    steps = [line for line in record["trace"].split("\n") if STEP.match(line)]
    if name in DIRECT:
        assert record["meta"]["step_labels"][-1]["completions"] == steps
    # the pipeline's export views read these keys as they are
    assert [r["chosen"][0]["content"] for r in preference_rows(record)] == [
        "\n".join(p["prefix"] + p["chosen"]) for p in pairs]
    assert len(stepwise_rows(record)) == len(record["meta"]["step_labels"])


def test_preference_pairs_are_siblings_in_the_tree():
    name = "mcts/countdown/astro"
    found = None
    for index in range(10):
        found = searched(name, index)
        if found and found[3]["meta"]["preferences"]:
            break
    task, tree, _, record = found
    by_prefix = {}
    for node in tree.nodes:
        by_prefix[tuple(f"Step {n.depth}: {n.step.text}" for n in node.path()[1:])] = node
    for pair in record["meta"]["preferences"]:
        parent = by_prefix[tuple(pair["prefix"])]
        kids = {f"Step {c.depth}: {c.step.text}": c for c in parent.children}
        assert pair["chosen"][0] in kids and pair["rejected"][0] in kids
        assert round(kids[pair["chosen"][0]].q, 6) == pair["q_chosen"]
        assert round(kids[pair["rejected"][0]].q, 6) == pair["q_rejected"]


@pytest.mark.parametrize("name", DIRECT)
def test_direct_solution_is_the_correct_path_alone(name):
    task = get_task(name)
    config = task.default_config()
    made = 0
    for index in ITEMS:
        record = task.generate(config, ItemKey(name, "train", None, index), item_rng(5, name, index))
        if record is None:
            continue
        made += 1
        replay = read(record["trace"])
        assert replay.backtracks == 0
        assert record["meta"]["search"]["backtracks"] == 0
        verifier = get_verifier(record["verifier"]["kind"])
        assert verifier.check_trace(record["verifier"]["spec"], record["trace"]).ok
    assert made


def test_astro_items_yield_and_search_statistics():
    """Most draws give a record, and the statistics describe the tree they came from."""
    for name in ASTRO:
        task = get_task(name)
        config = task.default_config()
        records = [task.generate(config, ItemKey(name, "train", None, i), item_rng(9, name, i)) for i in range(8)]
        made = [r for r in records if r]
        assert len(made) >= 4, f"{name}: only {len(made)} of 8 draws gave a record"
        assert sum(len(r["meta"]["preferences"]) for r in made) >= len(made), "few preference pairs"
        for r in made:
            stats = r["meta"]["search"]
            assert stats["nodes"] > stats["terminals"] >= stats["correct_terminals"] >= 1
            assert stats["iterations"] == config.iterations
            assert len(stats["path_q"]) == len(stats["path_visits"]) == len(read(r["trace"]).path)
            assert stats["path_q"][-1] == 1.0


def test_generate_batch_equals_generate():
    name = "mcts/equation/astro"
    task = get_task(name)
    config = task.default_config()
    keys = [ItemKey(name, "train", None, i) for i in range(4)]
    one = [task.generate(config, k, item_rng(1, name, k.index)) for k in keys]
    batch = task.generate_batch(config, keys, [item_rng(1, name, k.index) for k in keys])
    assert batch == one


def test_reflection_templates_vary():
    texts = set()
    for index in range(8):
        found = searched("mcts/countdown/astro", index, seed=21)
        if found:
            for line in found[2].text.split("\n"):
                if "go back" in line or "start" in line:
                    texts.add(line.split(".")[0])
    assert len(texts) >= 2
