"""The mcts/* tasks: one search per problem, written as an ASTRO trace or as the direct solution.

Every record carries, in ``meta``: ``search`` (tree statistics), ``preferences`` (CPL pairs, each side run
on to a finished answer, see ``reasonry.generators.mcts.cpl``) and ``step_labels`` (TRL stepwise rows
``{prompt, completions, labels, q}`` for the wrong paths and the correct path of the trace: labels are the
step checker's verdict per step, q the search's value estimates). ``generate`` searches one tree with the symbolic
policy; ``generate_batch`` searches a whole shard's trees in lock-step with any policy (one model request per
round for a model policy).

An environment's task class (``CountdownTask``, ...) holds what its problems need; ``variant`` binds it to a mode,
``astro`` (the tree as a trace with backtracking) or ``direct`` (the verified path alone). The names are listed
once, in ``index.TASKS``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, ClassVar, cast

from reasonry.config import require
from reasonry.generators.mcts import addition, astro, countdown, cpl, equation
from reasonry.generators.mcts.env import VerifiedEnvironment
from reasonry.generators.mcts.index import TASKS
from reasonry.generators.mcts.policy import SymbolicPolicy
from reasonry.generators.mcts.search import Budget, Node, Policy, Tree, search_many
from reasonry.levels import check_level, knob, stamp
from reasonry.registry import get_verifier
from reasonry.task import ItemKey, Task
from reasonry.verifier import trace_check
from reasonry.verifiers.step_trace import STEP, Replay, read

DRAWS = 20  # random draws tried before an item is given up (the pipeline counts it)


@dataclass(frozen=True)
class MctsConfig:
    iterations: int = 24
    max_depth: int = 8
    branching: int = 4
    rollouts_per_child: int = 1
    c_puct: float = 1.5
    max_wrong: int = 2          # k: wrong terminal nodes joined before the correct one (ASTRO)
    min_wrong: int = 1          # ASTRO items with fewer distinct wrong answers are not produced
    confirm_q: float = 0.5      # nodes on the trace with Q at least this get a confirmation line
    max_pairs: int = 8          # CPL pairs kept per problem
    skill: float = 0.6          # symbolic proposer: chance that a proposal is a sound step
    difficulty: int | None = knob(None)  # the level these knobs came from (reasonry.levels), if any

    def __post_init__(self):
        check_level(self.difficulty)
        self.budget()  # validates the search budget
        require(self.max_wrong >= 0, "max_wrong", f"must be >= 0, got {self.max_wrong}")
        require(0 <= self.min_wrong <= max(self.max_wrong, 0), "min_wrong", "must be in 0..max_wrong")
        require(-1.0 <= self.confirm_q <= 1.0, "confirm_q", "must be in [-1, 1]")
        require(self.max_pairs >= 0, "max_pairs", f"must be >= 0, got {self.max_pairs}")
        require(0.0 <= self.skill <= 1.0, "skill", "must be in [0, 1]")

    def budget(self) -> Budget:
        names = {f.name for f in fields(Budget)}
        return Budget(**{name: getattr(self, name) for name in names})


class MctsTask(Task):
    # 2: preference pairs run on to finished answers; step labels are the step checker's verdicts, not Q > 0
    version = "2"
    cost = 20  # a whole search tree per item
    family: ClassVar[str] = "mcts"
    mode: ClassVar[str]  # "astro" or "direct"
    env_name: ClassVar[str]

    # ---- per environment ------------------------------------------------------------------------

    def make_env(self, config: Any, rng: random.Random) -> VerifiedEnvironment | None:
        raise NotImplementedError

    def problem(self, env) -> dict:
        raise NotImplementedError

    def difficulty(self, env) -> dict:
        return {}

    def record_answer_type(self, env) -> str:
        return self.answer_type

    def corrupt_step(self, text: str, rng: random.Random) -> str:
        raise NotImplementedError

    # ---- the contract ---------------------------------------------------------------------------

    def generate(self, config: Any, key: ItemKey, rng: random.Random) -> dict | None:
        return self.generate_batch(config, [key], [rng])[0]

    def generate_batch(self, config: Any, keys: Sequence[ItemKey], rngs: Sequence[random.Random],
                       policy: Policy | None = None) -> list[dict | None]:
        """Records for many items, their trees searched in lock-step; None where an item has no record."""
        envs = [self.make_env(config, rng) for rng in rngs]
        live = [(i, env) for i, env in enumerate(envs) if env is not None]
        policy = policy or SymbolicPolicy()
        run = search_many([env for _, env in live], [rngs[i] for i, _ in live], policy, config.budget())
        out: list[dict | None] = [None] * len(keys)
        for (i, _), tree in zip(live, run.trees, strict=True):
            out[i] = self.build(config, keys[i], tree, rngs[i], policy_name=type(policy).__name__)
        return out

    def sound_correct(self, tree: Tree) -> list[Node]:
        """Correct terminal nodes whose whole path replays in the verifier, most visited first."""
        check_trace = trace_check(get_verifier(self.verifier_kind), self.verifier_kind)
        spec = _posed(tree).spec()
        found = []
        for node in sorted((n for n in tree.terminals() if n.correct), key=lambda n: (-n.visits, n.id)):
            if check_trace(spec, astro.direct(tree, node, random.Random(0))).ok:
                found.append(node)
        return found

    def build(self, config: Any, key: ItemKey, tree: Tree, rng: random.Random, policy_name: str) -> dict | None:
        env = _posed(tree)
        correct = self.sound_correct(tree)
        if not correct:
            return None
        best = correct[0]
        wrong = astro.pick_wrong(tree, rng, config.max_wrong) if self.mode == "astro" else []
        if self.mode == "astro" and len(wrong) < config.min_wrong:
            return None
        if self.mode == "astro":
            lin = astro.linearise(tree, best, wrong, rng, config.confirm_q)
            trace, backtracks, confirmations, wrong = lin.text, lin.backtracks, lin.confirmations, lin.wrong
        else:
            trace, backtracks, confirmations = astro.direct(tree, best, rng), [], 0
        prompt = env.problem_text()
        path = best.path()[1:]
        spec = env.spec()

        def check(trace: str):
            return trace_check(get_verifier(self.verifier_kind), self.verifier_kind)(spec, trace)

        meta = {
            "mode": self.mode,
            "policy": policy_name,
            "search": {
                "nodes": len(tree.nodes),
                "depth": tree.max_depth(),
                "iterations": tree.iterations,
                "terminals": len(tree.terminals()),
                "correct_terminals": sum(1 for n in tree.terminals() if n.correct),
                "backtracks": len(backtracks),
                "confirmations": confirmations,
                "path_q": [round(n.q, cpl.Q_DIGITS) for n in path],
                "path_visits": [n.visits for n in path],
                "root_q": round(tree.root.q, cpl.Q_DIGITS),
                "wrong_answers": [env.answer(n.state) for n in wrong],
                "backtrack_depths": [[a.depth, b.depth] for a, b in backtracks],
            },
            "preferences": cpl.preference_pairs(tree, correct, config.max_pairs),
            "step_labels": cpl.step_labels(tree, [*wrong, best], prompt, check),
        }
        return self.record(key, problem=self.problem(env), prompt=prompt, answer=env.answer(best.state),
                           verifier_spec=env.spec(), trace=trace, difficulty=stamp(config, self.difficulty(env)),
                           meta=meta,
                           answer_type=self.record_answer_type(env))

    def corrupt_trace(self, record: dict, rng: random.Random) -> str | None:
        """Break one step of the final path (the part the checker must accept)."""
        replay = read(record["trace"])
        if not isinstance(replay, Replay):
            return None
        line_no, _ = rng.choice(replay.path)
        lines = record["trace"].split("\n")
        m = STEP.match(lines[line_no])
        if m is None:
            raise ValueError(f"trace line {line_no} is on the path but is not a step: {lines[line_no]!r}")
        lines[line_no] = f"Step {m.group(1)}: {self.corrupt_step(m.group(2), rng)}"
        return "\n".join(lines)


def _posed(tree: Tree) -> VerifiedEnvironment:
    """The environment a task's tree was searched over: one that ``make_env`` made."""
    return cast(VerifiedEnvironment, tree.env)


# ---- Countdown --------------------------------------------------------------------------------

# Numbers per problem. The proposer asks, for every legal step of every node it expands, whether the target can
# still be reached; that depth-first search is memoised on the sorted numbers left, but a step that cannot reach
# the target is searched to the end. Measured on a loaded 2-core machine (level 5 settings, 3 items each): at 7
# numbers 0.3-0.6 M calls and 75,000-185,000 memo entries, 6-12 s an item (about 1.5 s idle); at 8 numbers
# 0.5-6.5 M calls, two of three items overflowing the 200,000-entry memo, 4-116 s an item. More would need
# another search.
MAX_COUNT = 7


@dataclass(frozen=True)
class CountdownConfig(MctsConfig):
    count: int = 4
    max_number: int = 12
    target_low: int = 10
    target_high: int = 200
    max_depth: int = 6

    def __post_init__(self):
        super().__post_init__()
        require(2 <= self.count <= MAX_COUNT, "count", f"must be in 2..{MAX_COUNT}, got {self.count}")
        require(self.max_depth >= self.count - 1, "max_depth", "a solution takes count - 1 steps")
        require(self.max_number >= 2, "max_number", f"must be >= 2, got {self.max_number}")
        require(1 <= self.target_low <= self.target_high, "target_low", "need 1 <= target_low <= target_high")


class CountdownTask(MctsTask):
    env_name = "countdown"
    verifier_kind = "countdown"
    answer_type = "expression"
    Config = CountdownConfig
    # 1-5: 3 to 7 numbers; targets up to 500 (Enigmata's hardest countdown has 7 numbers, targets to 500)
    levels = (
        {"count": 3, "max_number": 10, "target_low": 10, "target_high": 100},
        {"count": 4, "max_number": 12, "target_low": 10, "target_high": 200},
        {"count": 5, "max_number": 15, "target_low": 20, "target_high": 300, "iterations": 32},
        {"count": 6, "max_number": 20, "target_low": 50, "target_high": 500, "iterations": 40},
        {"count": 7, "max_number": 25, "target_low": 100, "target_high": 500, "iterations": 48},
    )

    def make_env(self, config: CountdownConfig, rng: random.Random):
        for _ in range(DRAWS):
            drawn = countdown.draw_problem(rng, config.count, config.max_number,
                                           (config.target_low, config.target_high))
            if drawn is not None:
                numbers, target = drawn
                return countdown.CountdownEnv(numbers, target, config.skill)
        return None

    def problem(self, env) -> dict:
        return {"numbers": list(env.numbers), "target": env.target}

    def difficulty(self, env) -> dict:
        return {"count": len(env.numbers), "target": env.target}

    def corrupt_step(self, text: str, rng: random.Random) -> str:
        return re.sub(r"= (\d+);", lambda m: f"= {int(m.group(1)) + rng.randint(1, 9)};", text, count=1)

    def corruptions(self, record: dict, rng: random.Random) -> dict[str, list[str]]:
        """The right expression with a wrong value claimed after ``=``: the claim is part of the answer."""
        from reasonry.answer_forms import final

        forms = super().corruptions(record, rng)
        gold, target = record["answer"], record["verifier"]["spec"]["target"]
        forms["trailing_claim"] = [final(f"{gold} = {target + 1}"), final(f"{gold} = 999"),
                                   final(f"{gold} = {target} = {target + 1}")]
        return forms

    def equivalents(self, record: dict) -> dict[str, list[str]]:
        from reasonry.answer_forms import final

        forms = super().equivalents(record)
        gold, target = record["answer"], record["verifier"]["spec"]["target"]
        forms["expression_forms"] = [final(f"{gold} = {target}"), final(gold.replace(" ", ""))]
        return forms


# ---- Linear equations --------------------------------------------------------------------------


@dataclass(frozen=True)
class EquationConfig(MctsConfig):
    max_coefficient: int = 6
    fraction_probability: float = 0.25
    max_depth: int = 7
    products: float = knob(0.0)  # share of problems written as products of binomials (two more steps)

    def __post_init__(self):
        super().__post_init__()
        require(self.max_coefficient >= 2, "max_coefficient", f"must be >= 2, got {self.max_coefficient}")
        require(0.0 <= self.fraction_probability <= 1.0, "fraction_probability", "must be in [0, 1]")
        require(0.0 <= self.products <= 1.0, "products", "must be in [0, 1]")


class EquationTask(MctsTask):
    cost = 60  # sympy checks every step of every branch
    env_name = "equation"
    verifier_kind = "math"
    answer_type = "integer"
    Config = EquationConfig
    # 4-5: products of binomials, two solving steps more than the plain form (a deeper, larger search)
    levels = (
        {"max_coefficient": 3, "fraction_probability": 0.0},
        {"max_coefficient": 6, "fraction_probability": 0.25},
        {"max_coefficient": 15, "fraction_probability": 0.75, "iterations": 32},
        {"max_coefficient": 15, "fraction_probability": 0.75, "products": 1.0, "max_depth": 9, "iterations": 64},
        {"max_coefficient": 30, "fraction_probability": 1.0, "products": 1.0, "max_depth": 10, "iterations": 96},
    )

    def make_env(self, config: EquationConfig, rng: random.Random):
        for _ in range(DRAWS):
            lhs, rhs = equation.draw_problem(rng, config.max_coefficient, config.fraction_probability,
                                             config.products)
            env = equation.EquationEnv(lhs, rhs, config.skill)
            try:
                env.gold()
            except (ValueError, IndexError):
                continue  # the sides have the same x coefficient: no unique solution
            return env
        return None

    def problem(self, env) -> dict:
        return {"equation": env.equation}

    def record_answer_type(self, env) -> str:
        return env.spec()["answer_type"]

    def difficulty(self, env) -> dict:
        return {"fractions": "/" in env.equation}

    def corrupt_step(self, text: str, rng: random.Random) -> str:
        return text + f" + {rng.randint(1, 9)}"


# ---- Column addition (TAIL states) -------------------------------------------------------------


@dataclass(frozen=True)
class AdditionConfig(MctsConfig):
    min_digits: int = 3
    max_digits: int = 5
    skill: float = 0.75
    iterations: int = 40

    def __post_init__(self):
        super().__post_init__()
        require(1 <= self.min_digits <= self.max_digits, "min_digits", "need 1 <= min_digits <= max_digits")
        require(self.max_digits <= self.max_depth, "max_digits", "every column is a step: keep it <= max_depth")


class AdditionTask(MctsTask):
    env_name = "addition"
    verifier_kind = "math"
    answer_type = "integer"
    Config = AdditionConfig
    levels = (
        {"min_digits": 2, "max_digits": 3},
        {"min_digits": 3, "max_digits": 5},
        # longer sums need a surer proposer: a random rollout of k columns is right with chance skill**k
        {"min_digits": 5, "max_digits": 8, "max_depth": 10, "iterations": 64, "skill": 0.9},
        {"min_digits": 8, "max_digits": 10, "max_depth": 12, "iterations": 128, "skill": 0.95},
        {"min_digits": 10, "max_digits": 14, "max_depth": 16, "iterations": 256, "skill": 0.97},
    )

    def make_env(self, config: AdditionConfig, rng: random.Random):
        x1, x2 = addition.draw_problem(rng, config.min_digits, config.max_digits)
        return addition.AdditionEnv(x1, x2, config.skill)

    def problem(self, env) -> dict:
        return {"x1": env.x1, "x2": env.x2}

    def difficulty(self, env) -> dict:
        return {"digits": [len(env.x1), len(env.x2)]}

    def corrupt_step(self, text: str, rng: random.Random) -> str:
        return re.sub(r"sum=(\d+)", lambda m: f"sum={int(m.group(1)) + rng.randint(1, 9)}", text, count=1)


ENVIRONMENTS: dict[str, type[MctsTask]] = {cls.env_name: cls for cls in (CountdownTask, EquationTask, AdditionTask)}
MODES = ("astro", "direct")


@cache
def variant(name: str) -> type[MctsTask]:
    """The class of the task ``mcts/<environment>/<mode>``: the environment's task class writing ``mode``."""
    _, env_name, mode = name.split("/")
    if mode not in MODES:
        raise ValueError(f"an MCTS task's mode is one of {MODES}, not {mode!r}")
    base = ENVIRONMENTS[env_name]
    attrs = {"name": name, "mode": mode, "description": TASKS[name], "__module__": __name__}
    return cast(type[MctsTask], type(base.__name__.removesuffix("Task") + mode.title(), (base,), attrs))
