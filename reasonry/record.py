"""Record schema v1: the one record type that flows through every stage.

A record is a plain JSON-serialisable dict. ``validate`` checks it and names the offending field;
``make_record`` builds one with its id and provenance filled in.
"""

from __future__ import annotations

import math
from typing import Any

from reasonry.errors import RecordError
from reasonry.hashing import canonical_json, loads, record_id

SCHEMA_VERSION = 1

FAMILIES = ("tail", "prolog", "pddl", "mcts", "webqa")
SPLITS = ("train", "test")
LENGTH_BUCKETS = ("S", "M", "L")
ANSWER_TYPES = (
    "integer",
    "float",
    "fraction",
    "percentage",
    "expression",
    "boolean",
    "multiple_choice",
    "string",
    "list",
    "matrix",
    "json",
    "plan",
)

# field -> (allowed python types, nullable)
FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "id": ((str,), False),
    "family": ((str,), False),
    "task": ((str,), False),
    "split": ((str,), False),
    "length_bucket": ((str,), True),
    "difficulty": ((dict,), False),
    "prompt": ((str,), False),
    "answer": ((str,), False),
    "answer_type": ((str,), False),
    "trace": ((str,), True),
    "verifier": ((dict,), False),
    "rollouts": ((list,), True),
    "meta": ((dict,), False),
    "provenance": ((dict,), False),
}

ROLLOUT_FIELDS: dict[str, type | tuple[type, ...]] = {"text": str, "answer": (str, type(None)), "correct": bool,
                                                      "reason": str}

# Free-form objects are stored as JSON text in Parquet: their keys differ between tasks, and one fixed
# Arrow struct per family would break whenever a task adds a knob.
JSON_FIELDS = ("difficulty", "verifier", "meta", "provenance")


def _check_json_value(value: Any, path: str) -> None:
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordError("non-finite number is not JSON", field=path)
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json_value(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise RecordError(f"object key {key!r} is not a string", field=path)
            _check_json_value(item, f"{path}.{key}")
        return
    raise RecordError(f"value of type {type(value).__name__} is not JSON-serialisable", field=path)


def validate(record: Any) -> dict:
    """Check a record against schema v1; raise ``RecordError`` naming the first bad field."""
    if not isinstance(record, dict):
        raise RecordError(f"a record is a dict, got {type(record).__name__}")
    missing = [f for f in FIELDS if f not in record]
    if missing:
        raise RecordError("missing field", field=missing[0])
    extra = sorted(set(record) - set(FIELDS))
    if extra:
        raise RecordError("unknown field (schema v1)", field=extra[0])
    for name, (types, nullable) in FIELDS.items():
        value = record[name]
        if value is None:
            if not nullable:
                raise RecordError("must not be null", field=name)
            continue
        if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
            expected = " or ".join(t.__name__ for t in types)
            raise RecordError(f"expected {expected}, got {type(value).__name__}", field=name)
    for name in ("id", "task", "prompt"):
        if not record[name]:
            raise RecordError("must not be empty", field=name)
    if record["family"] not in FAMILIES:
        raise RecordError(f"{record['family']!r} is not one of {FAMILIES}", field="family")
    if not record["task"].startswith(record["family"] + "/"):
        raise RecordError(f"task {record['task']!r} does not start with family {record['family']!r}/", field="task")
    if record["split"] not in SPLITS:
        raise RecordError(f"{record['split']!r} is not one of {SPLITS}", field="split")
    if record["length_bucket"] is not None and record["length_bucket"] not in LENGTH_BUCKETS:
        raise RecordError(f"{record['length_bucket']!r} is not one of {LENGTH_BUCKETS}", field="length_bucket")
    if record["answer_type"] not in ANSWER_TYPES:
        raise RecordError(f"{record['answer_type']!r} is not one of {ANSWER_TYPES}", field="answer_type")
    verifier = record["verifier"]
    if not isinstance(verifier.get("kind"), str) or not verifier["kind"]:
        raise RecordError("needs a non-empty string 'kind'", field="verifier.kind")
    if not isinstance(verifier.get("spec"), dict):
        raise RecordError("needs an object 'spec'", field="verifier.spec")
    for name in JSON_FIELDS:
        _check_json_value(record[name], name)
    if record["rollouts"] is not None:
        for i, rollout in enumerate(record["rollouts"]):
            if not isinstance(rollout, dict):
                raise RecordError("a rollout is an object", field=f"rollouts[{i}]")
            for key, allowed in ROLLOUT_FIELDS.items():
                if key not in rollout:
                    raise RecordError("missing field", field=f"rollouts[{i}].{key}")
                if not isinstance(rollout[key], allowed):
                    raise RecordError("wrong type", field=f"rollouts[{i}].{key}")
    return record


def make_record(
    *,
    family: str,
    task: str,
    problem: Any,
    prompt: str,
    answer: str,
    answer_type: str,
    verifier_kind: str,
    verifier_spec: dict,
    split: str = "train",
    length_bucket: str | None = None,
    trace: str | None = None,
    difficulty: dict | None = None,
    meta: dict | None = None,
    provenance: dict | None = None,
) -> dict:
    """Build and validate a record. ``problem`` is the canonical problem the id is hashed from."""
    record = {
        "id": record_id(family, task, problem),
        "family": family,
        "task": task,
        "split": split,
        "length_bucket": length_bucket,
        "difficulty": dict(difficulty or {}),
        "prompt": prompt,
        "answer": answer,
        "answer_type": answer_type,
        "trace": trace,
        "verifier": {"kind": verifier_kind, "spec": verifier_spec},
        "rollouts": None,
        "meta": dict(meta or {}),
        "provenance": dict(provenance or {}),
    }
    return validate(record)


def to_row(record: dict) -> dict:
    """The Parquet row form: free-form objects as canonical JSON text."""
    row = dict(record)
    for name in JSON_FIELDS:
        row[name] = canonical_json(record[name])
    return row


def from_row(row: dict) -> dict:
    """Inverse of ``to_row``."""
    record = {name: row.get(name) for name in FIELDS}
    for name in JSON_FIELDS:
        text = record[name]
        if isinstance(text, str):
            record[name] = loads(text)
    if record["rollouts"] is not None:
        record["rollouts"] = [dict(r) for r in record["rollouts"]]
    return record
