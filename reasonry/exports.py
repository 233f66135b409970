"""Export views of records: what trainers read (TRL conversational SFT, verl RL, TRL preference/stepwise)."""

from __future__ import annotations

from reasonry.answers import FINAL_ANSWER, answer_instruction
from reasonry.hashing import canonical_json

ABILITY = {"tail": "algorithmic", "prolog": "logic", "pddl": "planning", "mcts": "math", "webqa": "general"}


def assistant_text(record: dict) -> str:
    """The gold response: the trace, ending with the final-answer line."""
    trace = (record.get("trace") or "").rstrip()
    final = f"{FINAL_ANSWER} {record['answer']}"
    if not trace:
        return final
    last = trace.rsplit("\n", 1)[-1]
    return trace if last.startswith(FINAL_ANSWER) else f"{trace}\n{final}"


def sft_row(record: dict) -> dict:
    return {
        "id": record["id"],
        "task": record["task"],
        "length_bucket": record["length_bucket"],
        "messages": [
            {"role": "user", "content": record["prompt"]},
            {"role": "assistant", "content": assistant_text(record)},
        ],
    }


def rl_row(record: dict) -> dict:
    return {
        "data_source": f"reasonry/{record['task']}",
        "prompt": [{"role": "user", "content": record["prompt"] + "\n\n" + answer_instruction(record["answer_type"])}],
        "ability": ABILITY.get(record["family"], record["family"]),
        "reward_model": {"style": "rule", "ground_truth": record["answer"]},
        "extra_info": {
            "id": record["id"],
            "task": record["task"],
            "split": record["split"],
            "index": int(record["provenance"].get("index", 0)),
            "length_bucket": record["length_bucket"],
            "answer_type": record["answer_type"],
            "verifier": canonical_json(record["verifier"]),
        },
    }


def preference_rows(record: dict) -> list[dict]:
    """Step-level pairs that a search source put in ``meta['preferences']``."""
    rows = []
    for i, pair in enumerate(record["meta"].get("preferences") or []):
        rows.append({
            "id": f"{record['id']}-{i}",
            "task": record["task"],
            "prompt": pair["prompt"],
            "chosen": pair["chosen"],
            "rejected": pair["rejected"],
            "q_chosen": float(pair["q_chosen"]),
            "q_rejected": float(pair["q_rejected"]),
        })
    return rows


def stepwise_rows(record: dict) -> list[dict]:
    """TRL stepwise supervision rows from ``meta['step_labels']``."""
    labels = record["meta"].get("step_labels")
    if not labels:
        return []
    rows = labels if isinstance(labels, list) else [labels]
    return [{"id": f"{record['id']}-{i}", "task": record["task"], "prompt": row["prompt"],
             "completions": list(row["completions"]), "labels": [bool(x) for x in row["labels"]]}
            for i, row in enumerate(rows)]


EXPORTS = {
    "sft": lambda r: [sft_row(r)],
    "rl": lambda r: [rl_row(r)],
    "preference": preference_rows,
    "stepwise": stepwise_rows,
}
