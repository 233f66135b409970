"""Export views of records: what trainers read (TRL conversational SFT, verl RL, TRL preference/stepwise)."""

from __future__ import annotations

from reasonry.answers import FINAL_ANSWER, answer_instruction
from reasonry.hashing import canonical_json

ABILITY = {"tail": "algorithmic", "prolog": "logic", "pddl": "planning", "mcts": "math", "webqa": "general"}


def _has_final_answer_line(text: str) -> bool:
    return any(line.startswith(FINAL_ANSWER) for line in text.split("\n"))


def assistant_text(record: dict) -> str:
    """The gold response: the trace, with exactly one final-answer line. Traces that already state it keep
    their own (PDDL traces put the plan on the lines after ``Final answer:``); others get it appended."""
    trace = (record.get("trace") or "").rstrip()
    final = f"{FINAL_ANSWER} {record['answer']}"
    if not trace:
        return final
    return trace if _has_final_answer_line(trace) else f"{trace}\n{final}"


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
            "index": row_index(record["id"]),
            "item_index": int(record["provenance"].get("index", 0)),
            "length_bucket": record["length_bucket"],
            "answer_type": record["answer_type"],
            "verifier": canonical_json(record["verifier"]),
        },
    }


def row_index(record_id: str) -> int:
    """``extra_info.index``: unique per row of the export, taken from the record's id (60 bits of a 128-bit
    content hash, unique wherever ids are, independent of sharding and worker order). The generator's item
    index repeats across tasks and splits; it stays in ``item_index``."""
    return int(record_id[:15], 16)


def _messages(role: str, lines: list[str]) -> list[dict]:
    return [{"role": role, "content": "\n".join(lines)}]


def preference_rows(record: dict) -> list[dict]:
    """TRL conversational preference rows from a search source's ``meta['preferences']``: the problem as the
    user's message; chosen and rejected as assistant messages that each run from the first step to a final
    answer, sharing the steps before the branching state (identical tokens cancel in DPO's margin, so the pair
    teaches the continuation from the branch), the chosen one verified and the rejected one wrong."""
    rows = []
    for i, pair in enumerate(record["meta"].get("preferences") or []):
        rows.append({
            "id": f"{record['id']}-{i}",
            "task": record["task"],
            "prompt": _messages("user", [record["prompt"]]),
            "chosen": _messages("assistant", [*pair["prefix"], *pair["chosen"]]),
            "rejected": _messages("assistant", [*pair["prefix"], *pair["rejected"]]),
            "branch_step": int(pair["depth"]),
            "chosen_answer": pair["chosen_answer"],
            "rejected_answer": pair["rejected_answer"],
            "q_chosen": float(pair["q_chosen"]),
            "q_rejected": float(pair["q_rejected"]),
        })
    return rows


def _step_prompt(problem: str, prefix: list[str]) -> str:
    """Plain-text prompt for step rows: ends with a newline, so the next step never runs into the text before."""
    return "\n".join([problem, "", *prefix]).rstrip("\n") + "\n"


def preference_step_rows(record: dict) -> list[dict]:
    """Step-only pairs (an option): plain text, the problem and shared prefix as prompt, one step per side.
    Trainers append end-of-sequence to plain-text completions, so these teach stopping after one step."""
    rows = []
    for i, pair in enumerate(record["meta"].get("preferences") or []):
        rows.append({
            "id": f"{record['id']}-{i}",
            "task": record["task"],
            "prompt": _step_prompt(record["prompt"], pair["prefix"]),
            "chosen": pair["chosen"][0],
            "rejected": pair["rejected"][0],
            "q_chosen": float(pair["q_chosen"]),
            "q_rejected": float(pair["q_rejected"]),
        })
    return rows


def stepwise_rows(record: dict) -> list[dict]:
    """TRL stepwise supervision rows from ``meta['step_labels']``: ``labels`` are the step checker's verdicts
    (the path up to the step replays); ``q_values`` are the search's estimates, kept apart."""
    labels = record["meta"].get("step_labels")
    if not labels:
        return []
    rows = labels if isinstance(labels, list) else [labels]
    return [{"id": f"{record['id']}-{i}", "task": record["task"], "prompt": _step_prompt(row["prompt"], []),
             "completions": list(row["completions"]), "labels": [bool(x) for x in row["labels"]],
             "q_values": [float(q) for q in row["q"]]}
            for i, row in enumerate(rows)]


EXPORTS = {
    "sft": lambda r: [sft_row(r)],
    "rl": lambda r: [rl_row(r)],
    "preference": preference_rows,
    "preference_steps": preference_step_rows,
    "stepwise": stepwise_rows,
}
