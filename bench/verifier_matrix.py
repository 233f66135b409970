"""The verifier matrix as figures: per task and per family, how many wrong replies were accepted and how many
equivalent forms were rejected (both must be 0), and how fast replies are scored.

Speed is measured two ways on the same candidates: ``reasonry.answers.grade`` on the whole reply (locating every
final-answer statement, then the verifier) against the baseline of the bare verifier called on the statements
already located, so the ratio is the cost of reading replies the one way every consumer reads them. The PDDL
verdict memo is cleared before each pass, so neither side is served from the other's work.

    .venv/bin/python bench/verifier_matrix.py [--items 2] [--tasks 'tail/*']
"""

from __future__ import annotations

import argparse
import fnmatch
import random
import time
from collections import defaultdict

from reasonry.answers import grade, read_reply
from reasonry.exports import assistant_text
from reasonry.registry import get_task, get_verifier, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verifiers.pddl import _VERDICTS


def _records(name: str, items: int) -> list[dict]:
    task = get_task(name)
    out = []
    for bucket in task.buckets or (None,):
        for index in range(items if not name.startswith("webqa") else items * 15):
            record = task.generate(task.default_config(), ItemKey(name, "train", bucket, index),
                                   item_rng(23, name, index, "train", bucket))
            if record is not None:
                out.append(record)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2, help="items per task and length bucket")
    parser.add_argument("--tasks", default="*", help="glob over task names")
    args = parser.parse_args()

    per_task: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # wrong tried, accepted, right tried, rejected
    per_family: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    graded = grade_s = bare = bare_s = 0.0
    for name in task_names():
        if not fnmatch.fnmatchcase(name, args.tasks):
            continue
        task = get_task(name)
        for i, record in enumerate(_records(name, args.items)):
            cases = [(False, f, r) for f, rs in task.corruptions(record, random.Random(i)).items() for r in rs]
            cases += [(True, f, r) for f, rs in task.equivalents(record).items() for r in rs]
            cases.append((True, "gold_trace", assistant_text(record)))
            statements = [s for _, _, reply in cases for s in dict.fromkeys(
                read_reply(reply, record["answer_type"]).statements)]
            verifier = get_verifier(record["verifier"]["kind"])
            _VERDICTS.clear()
            start = time.perf_counter()
            for statement in statements:
                verifier.verify(record["verifier"]["spec"], statement)
            bare_s += time.perf_counter() - start
            bare += len(cases)
            _VERDICTS.clear()
            start = time.perf_counter()
            verdicts = [grade(record["verifier"], record["answer_type"], reply).ok for _, _, reply in cases]
            grade_s += time.perf_counter() - start
            graded += len(cases)
            for (right, family, _), ok in zip(cases, verdicts, strict=True):
                counts = per_task[name]
                counts[2 if right else 0] += 1
                counts[3 if right else 1] += int(ok != right)
                per_family[("equivalent" if right else "corruption", family)][0] += 1
                per_family[("equivalent" if right else "corruption", family)][1] += int(ok != right)

    print(f"{'task':44} {'wrong tried':>11} {'accepted':>9} {'equiv tried':>11} {'rejected':>9}")
    for name, (wt, wa, rt, rr) in sorted(per_task.items()):
        print(f"{name:44} {wt:11d} {wa:9d} {rt:11d} {rr:9d}")
    print(f"\n{'kind':11} {'family':24} {'tried':>7} {'misjudged':>10}")
    for (kind, family), (tried, bad) in sorted(per_family.items()):
        print(f"{kind:11} {family:24} {tried:7d} {bad:10d}")
    wrong_accepted = sum(c[1] for c in per_task.values())
    right_rejected = sum(c[3] for c in per_task.values())
    print(f"\ntotal: {sum(c[0] for c in per_task.values())} corruptions, {wrong_accepted} accepted; "
          f"{sum(c[2] for c in per_task.values())} equivalent forms, {right_rejected} rejected")
    print(f"grade (read the reply, then verify): {graded / grade_s:,.0f} replies/s; the verifier alone on the same "
          f"located statements: {bare / bare_s:,.0f} replies/s; time ratio grade/verifier {grade_s / bare_s:.2f}x")
    if wrong_accepted or right_rejected:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
