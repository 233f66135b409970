"""Items on the fly for an RL loop: one task at a difficulty level, generated lazily, raised as the policy improves.

A ``Curriculum`` produces exactly the records a build with ``tasks.<task>.options.difficulty: <level>`` and the
same seed would hold (the same generator over the same item keys, the same provenance), and scores replies with
the same reward as ``reasonry.rewards``. Each level has its own run of item indices, so going back to a level
continues where it stopped instead of repeating items::

    cur = Curriculum("prolog/zebra/solve", level=1, seed=0)
    for step in range(steps):
        batch = cur.batch(8)                       # records; batch[i]["prompt"] is the question
        rewards = [cur.score(r, reply) for r, reply in zip(batch, replies)]
        cur.report(rewards)                        # raises the level when the recent pass rate is high
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from reasonry.errors import ConfigError
from reasonry.generators.run import generate_shard
from reasonry.plan import ShardSpec
from reasonry.registry import get_task
from reasonry.rewards import score
from reasonry.task_options import resolve_options


class Curriculum:
    def __init__(self, task: str, level: int = 1, *, seed: int = 0, options: dict | None = None,
                 split: str = "train", bucket: str | None = None, raise_at: float = 0.8, window: int = 64):
        self.task_name = task
        self.task = get_task(task)
        if not self.task.levels:
            raise ConfigError(f"{task} has no difficulty levels", path="level")
        self.seed = seed
        self.split = split
        self.bucket = bucket
        self.options = dict(options or {})
        self.raise_at = raise_at
        self.recent: deque[float] = deque(maxlen=window)
        self.next_index: dict[int, int] = {}
        self.rejects: list[dict] = []
        self._started = False
        self.set_level(level)

    @property
    def max_level(self) -> int:
        return len(self.task.levels)

    def set_level(self, level: int) -> None:
        """Move to ``level`` (validated like a build config's ``difficulty``)."""
        resolved = resolve_options(self.task, {**self.options, "difficulty": level}, f"{self.task_name} options")
        self.config, self.hash = resolved.config, resolved.hash
        self.level = level
        self.recent.clear()

    def batch(self, n: int) -> list[dict]:
        """The next ``n`` records at the current level; draws the generator gives up are kept in ``rejects``."""
        if not self._started:
            self.task.setup()  # engines a task needs (a Prolog pool, a planner) start once
            self._started = True
        out: list[dict] = []
        while len(out) < n:
            start = self.next_index.get(self.level, 0)
            spec = ShardSpec(self.task_name, self.split, self.bucket, start, start + (n - len(out)))
            records, rejects, _ = generate_shard(spec, self.config, seed=self.seed, options_hash=self.hash)
            self.next_index[self.level] = spec.stop
            out.extend(records)
            self.rejects.extend(rejects)
            if not records and len(rejects) == spec.size and spec.size >= 8:
                raise RuntimeError(f"{self.task_name} level {self.level}: {spec.size} draws in a row gave no "
                                   f"item (last: {rejects[-1]['reason']})")
        return out

    def __iter__(self) -> Iterator[dict]:
        while True:
            yield from self.batch(1)

    @staticmethod
    def score(record: dict, reply: str) -> float:
        """The RL reward of ``reply`` for ``record``: the same function the RL export's reward module uses."""
        return score(reply, {"verifier": record["verifier"], "answer_type": record["answer_type"]})

    def report(self, rewards: list[float]) -> bool:
        """Record rewards; when the pass rate over a full window reaches ``raise_at``, go up one level (True)."""
        self.recent.extend(rewards)
        full = len(self.recent) == self.recent.maxlen
        if full and sum(self.recent) / len(self.recent) >= self.raise_at and self.level < self.max_level:
            self.set_level(self.level + 1)
            return True
        return False

    def close(self) -> None:
        if self._started:
            self.task.teardown()
            self._started = False

    def __enter__(self) -> Curriculum:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
