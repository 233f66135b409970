"""Bad input gets a clear reason and nothing raises: malformed plans, wrong objects, a planner time-out,
a malformed domain, malformed verdicts, broken task constraints, bad configuration."""

from __future__ import annotations

import json
import random

import pytest

from reasonry.config import from_dict
from reasonry.errors import ConfigError
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.task import ItemKey, Skip
from reasonry.verifiers.pddl import check_trace, verify
from reasonry.verifiers.pddl.plan_text import parse_action
from tests.pddl.test_validator import records


@pytest.fixture(scope="module")
def bw():
    return records("blocksworld", "plan_generation", 1)[0]


def test_lenient_spellings_of_the_gold_plan_pass(bw):
    spec, lines = bw["verifier"]["spec"], bw["answer"].split("\n")
    bare = [line.strip("()") for line in lines]
    styles = [
        "\n".join(f"{i}. {s}" for i, s in enumerate(lines, 1)),
        "\n".join(f"Step {i}: {s}" for i, s in enumerate(bare, 1)),
        "\n".join(f"{s.split()[0]}({', '.join(s.split()[1:])})" for s in bare),
        "```\n" + "\n".join(s.upper() for s in lines) + "\n```",
        "\n".join(f"- {s} ; comment" for s in lines),
        "Plan:\n" + "\n".join(f"{i} {s}" for i, s in enumerate(lines, 1)),
    ]
    for text in styles:
        assert verify(spec, text).ok, text


@pytest.mark.parametrize("mutate,reason", [
    # a sentence after the last action closes the plan; one between two actions breaks it
    (lambda p: p.replace("\n", "\nthis is not an action!\n", 1), "unparsable plan: line"),
    (lambda p: "", "empty plan"),
    (lambda p: "(fly-to-moon b1)\n" + p, "unknown action 'fly-to-moon'"),
    (lambda p: "(stack b1)\n" + p, "takes 2 argument(s), got 1"),
    (lambda p: "(pick-up b99)\n" + p, "unknown object 'b99'"),
    (lambda p: "(put-down b1)\n" + p, "step 1:"),
])
def test_malformed_candidates_get_their_own_reason(bw, mutate, reason):
    verdict = verify(bw["verifier"]["spec"], mutate(bw["answer"]))
    assert not verdict.ok and reason in verdict.reason, verdict.reason


def test_object_of_the_wrong_type_is_named():
    record = records("gripper", "plan_generation", 1)[0]
    verdict = verify(record["verifier"]["spec"], "(move left right)\n" + record["answer"])
    assert not verdict.ok
    assert "object 'left' is a gripper" in verdict.reason and "needs a room" in verdict.reason


def test_non_text_and_huge_candidates(bw):
    spec = bw["verifier"]["spec"]
    assert not verify(spec, None).ok
    assert "longer than" in verify(spec, "(pick-up b1)\n" * 50_000).reason
    too_many = "\n".join(["(pick-up b1)", "(put-down b1)"] * spec["max_steps"])
    assert "more than" in verify(spec, too_many).reason


def test_malformed_domain_and_problem_are_named(bw):
    spec = bw["verifier"]["spec"]
    broken = {**spec, "domain": spec["domain"].replace("(:action stack", "(:action stack (((", 1)}
    verdict = verify(broken, bw["answer"])
    assert not verdict.ok and verdict.reason.startswith("bad spec: malformed domain"), verdict.reason
    verdict = verify({**spec, "problem": spec["problem"].replace("(:goal", "(:goal (on b1", 1)}, bw["answer"])
    assert not verdict.ok and verdict.reason.startswith("bad spec: malformed problem"), verdict.reason
    verdict = verify({**spec, "domain": "not pddl"}, bw["answer"])
    assert not verdict.ok and "bad spec" in verdict.reason
    assert not verify({**spec, "mode": "nonsense"}, bw["answer"]).ok
    assert not check_trace(broken, bw["trace"]).ok


def test_planner_time_out_is_a_counted_rejection():
    task = get_task("pddl/blocksworld/plan_generation_optimal")
    config = from_dict(task.Config, {"blocks": [30, 30], "optimal_time_limit_s": 0.5,
                                     "max_plan_length": 200})
    key = ItemKey(task.name, "train", None, 0)
    with pytest.raises(Skip) as skipped:
        task.generate(config, key, item_rng(1, task.name, 0))
    assert skipped.value.reason == "planner_timeout" and "limit 0.5s" in skipped.value.detail


def test_plan_outside_the_length_window_is_rejected_with_reason():
    task = get_task("pddl/miconic/plan_generation")
    config = from_dict(task.Config, {"floors": [3, 3], "passengers": [2, 2], "max_plan_length": 2,
                                     "min_plan_length": 1})
    with pytest.raises(Skip) as skipped:
        task.generate(config, ItemKey(task.name), item_rng(1, task.name, 0))
    assert skipped.value.reason == "plan_too_long"


def test_completion_and_reordering_constraints():
    done = records("ferry", "plan_completion", 1)[0]
    spec = done["verifier"]["spec"]
    given_at = next(i for i, g in enumerate(spec["given"]) if g is not None)
    lines = done["answer"].split("\n")
    assert "exactly" in verify(spec, "\n".join(lines + lines[-1:])).reason
    moved = list(lines)
    moved[given_at] = "(sail port1 port2)"
    assert f"step {given_at + 1} must stay the given" in verify(spec, "\n".join(moved)).reason
    shuffled = records("ferry", "plan_reordering", 1)[0]
    spec = shuffled["verifier"]["spec"]
    assert "not the same multiset" in verify(spec, shuffled["answer"] + "\n" + spec["steps"][0]).reason
    assert verify(spec, shuffled["answer"]).ok


def test_validation_verdicts_are_read_leniently_and_judged_strictly():
    items = records("blocksworld", "plan_validation", 8, invalid_fraction=0.6)
    invalid = next(r for r in items if not json.loads(r["answer"])["valid"])
    valid = next(r for r in items if json.loads(r["answer"])["valid"])
    spec = invalid["verifier"]["spec"]
    claim = json.loads(invalid["answer"])
    name, args = parse_action(claim["unmet"])
    step = None if claim["step"] is None else str(claim["step"])
    written = json.dumps({"valid": "false", "step": step, "unmet": f"{name}({', '.join(args)})"})
    lenient = f"```json\n{written}\n```"
    assert verify(spec, lenient).ok
    assert "unparsable verdict" in verify(spec, "the plan is bad").reason
    assert "unparsable verdict" in verify(spec, '{"valid": false}').reason
    assert "wrong verdict" in verify(spec, '{"valid": true}').reason
    assert "not an unmet" in verify(spec, json.dumps({**claim, "unmet": "(on b9 b9)"})).reason
    assert verify(valid["verifier"]["spec"], "Answer: {\"valid\": true}").ok


def test_trace_checker_names_the_first_wrong_line(bw):
    spec = bw["verifier"]["spec"]
    lines = bw["trace"].split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("Check: "))
    lines[i] = lines[i].replace("yes", "no", 1)
    verdict = check_trace(spec, "\n".join(lines))
    assert not verdict.ok and f"trace line {i + 1}" in verdict.reason
    assert "Final answer" in check_trace(spec, bw["trace"].split("Final answer:")[0]).reason
    assert not check_trace(spec, "").ok
    task = get_task(bw["task"])
    assert not check_trace(spec, task.corrupt_trace(bw, random.Random(0))).ok


@pytest.mark.parametrize("options,field", [
    ({"blocks": [5, 2]}, "blocks"),
    ({"time_limit_s": 0}, "time_limit_s"),
    ({"optimal_time_limit_s": -1}, "optimal_time_limit_s"),
    ({"gap_fraction": 1.5}, "gap_fraction"),
    ({"colour": "red"}, "colour"),
])
def test_bad_configuration_names_the_field(options, field):
    task = get_task("pddl/blocksworld/plan_completion")
    with pytest.raises(ConfigError, match=field):
        from_dict(task.Config, options)


def test_verifier_never_raises_on_garbage(bw):
    spec = bw["verifier"]["spec"]
    rng = random.Random(0)
    alphabet = "()abc- \n0123456789;.:{}\"[]?bstackpickup"
    candidates = [None, 5, b"(pick-up b1)", {"valid": True}, "", "\x00", "(" * 5000, ")" * 5000]
    candidates += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))) for _ in range(200)]
    broken_specs = [{}, None, {"mode": "generate"}, {**spec, "domain": None}, {**spec, "problem": 7},
                    {**spec, "mode": "complete"}, {**spec, "mode": "optimal"}, {**spec, "mode": "validate"}]
    for candidate in candidates:
        for s in [spec, *broken_specs]:
            verdict = verify(s, candidate)
            assert verdict.ok in (True, False) and verdict.reason
        assert check_trace(spec, candidate).ok in (True, False)
