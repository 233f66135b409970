"""The generator contract.

A task is a class with a frozen dataclass ``Config`` and a pure ``generate(config, key, rng)`` that returns a
schema v1 record or None (no valid instance for this draw; the pipeline counts it). No I/O, no global random
state, no wall clock: ``rng`` is the item's own seeded generator (``reasonry.rng.item_rng``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, ClassVar

from reasonry.answer_forms import corruptions, equivalents
from reasonry.levels import resolve
from reasonry.record import make_record


@dataclass(frozen=True)
class ItemKey:
    """Which item to produce: any worker can produce any key."""

    task: str
    split: str = "train"
    bucket: str | None = None
    index: int = 0


class Skip(Exception):
    """No item for this draw: ``generate`` raises it with a short reason code (``planner_timeout``,
    ``no_instance``, ...) and a detail; the item becomes a counted reject under that reason."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class NoConfig:
    """For tasks without knobs."""


def item_provenance(task: Task, key: ItemKey, *, seed: int | None = None, options_hash: str | None = None
                    ) -> dict[str, Any]:
    """What decides one item, and nothing about the build around it, so an unchanged task gives the same bytes
    in every build: the generator and its version, the item index, and (where a build made it) the seed and the
    hash of the task's resolved options. ``Task.record`` and the shard runner both build it here."""
    provenance: dict[str, Any] = {"generator": task.name, "generator_version": task.version, "index": key.index}
    if seed is not None:
        provenance["seed"] = seed
    if options_hash is not None:
        provenance["options_hash"] = options_hash
    return provenance


class Task:
    """Base class of every registered task. Subclasses set the class attributes and ``generate``."""

    name: ClassVar[str]
    family: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    Config: ClassVar[type] = NoConfig
    # Length buckets the task supports; empty for tasks without length ranges.
    buckets: ClassVar[tuple[str, ...]] = ()
    answer_type: ClassVar[str] = "string"
    verifier_kind: ClassVar[str]
    # Relative work of one item (a TAIL item is 1): a shard holds build.shard_size // cost items, so shards of
    # slow tasks (a planner call, a Prolog search) are small and spread evenly over the workers.
    cost: ClassVar[int] = 1
    # Difficulty levels, easiest first: ``difficulty: N`` in the options starts from ``levels[N - 1]``
    # (see reasonry.levels); empty for tasks without levels.
    levels: ClassVar[tuple[dict, ...]] = ()

    def default_config(self) -> Any:
        return self.Config()

    def capacity(self, config: Any, bucket: str | None) -> int | None:
        """How many distinct problems (distinct ids) the task can produce in ``bucket`` with ``config``: exact,
        or an upper bound; None where it is too large to matter or unknown. A build warns when asked for more."""
        return None

    def make_config(self, options: dict | None = None, path: str = "options") -> Any:
        """The validated config from a mapping of options, a ``difficulty`` level expanded into its knobs."""
        return resolve(self, options, path)

    def generate(self, config: Any, key: ItemKey, rng: random.Random) -> dict | None:
        """The record for ``key``; raise ``Skip`` (or return None: reason ``no_instance``) when the draw
        gives no valid item."""
        raise NotImplementedError

    def setup(self) -> None:
        """Start process-wide engines (a planner, a Prolog pool) before a worker's first item of this task."""

    def teardown(self) -> None:
        """Stop what ``setup`` started; called once when the worker ends."""

    # --- helpers for subclasses -------------------------------------------------------------------

    def record(self, key: ItemKey, *, problem: Any, prompt: str, answer: str, verifier_spec: dict,
               trace: str | None = None, difficulty: dict | None = None, meta: dict | None = None,
               answer_type: str | None = None) -> dict:
        return make_record(
            family=self.family,
            task=self.name,
            problem=problem,
            prompt=prompt,
            answer=answer,
            answer_type=answer_type or self.answer_type,
            verifier_kind=self.verifier_kind,
            verifier_spec=verifier_spec,
            split=key.split,
            length_bucket=key.bucket,
            trace=trace,
            difficulty=difficulty,
            meta=meta,
            provenance=item_provenance(self, key),
        )

    # --- used by the contract test and by `reasonry verify` to prove a checker can fail ------------

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        """A wrong answer of the right shape. The default changes one digit, or appends a character."""
        answer = record["answer"]
        digits = [i for i, ch in enumerate(answer) if ch.isdigit()]
        if digits:
            i = rng.choice(digits)
            new = str((int(answer[i]) + rng.randint(1, 9)) % 10)
            return answer[:i] + new + answer[i + 1:]
        return answer + "x"

    # Whether the prompt fixes the order of a list answer (a reordering is then wrong, else an equivalent form).
    ordered_answer: ClassVar[bool] = True

    def corruptions(self, record: dict, rng: random.Random) -> dict[str, list[str]]:
        """Wrong replies by family, for the verifier matrix: every one must score 0. The default derives the
        families from the answer's shape (``reasonry.answer_forms``) around this task's ``corrupt_answer``."""
        return corruptions(record, self.corrupt_answer(record, rng), rng, ordered=self.ordered_answer)

    def equivalents(self, record: dict) -> dict[str, list[str]]:
        """Replies stating the gold answer in another accepted form, by family: every one must score 1."""
        return equivalents(record, ordered=self.ordered_answer)

    def corrupt_trace(self, record: dict, rng: random.Random) -> str | None:
        """A trace with one intermediate state made wrong, or None where the task has no checkable trace."""
        return None
