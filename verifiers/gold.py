"""Check a record's own reference: its gold answer and, where the verifier can replay it, its trace."""

from __future__ import annotations

from reasonry.registry import get_verifier
from reasonry.rejects import Reject, error_detail
from reasonry.verdict import Verdict

STAGE = "verify"


def check_gold(record: dict) -> tuple[Verdict, str]:
    """(verdict, reason code). Raises only if the verifier itself is broken."""
    verifier = get_verifier(record["verifier"]["kind"])
    spec = record["verifier"]["spec"]
    verdict = verifier.verify(spec, record["answer"])
    if not verdict.ok:
        return verdict, "gold_answer_rejected"
    if record.get("trace") and verifier.check_trace is not None:
        verdict = verifier.check_trace(spec, record["trace"])
        if not verdict.ok:
            return verdict, "gold_trace_rejected"
    return verdict, "ok"


def verify_batch(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(kept, rejects): a record whose reference does not verify, or whose verifier raises, is rejected."""
    kept, rejects = [], []
    for record in records:
        try:
            verdict, code = check_gold(record)
        except Exception as exc:
            rejects.append(Reject.from_record(record, STAGE, "verifier_error", error_detail(exc)).row())
            continue
        if verdict.ok:
            kept.append(record)
        else:
            rejects.append(Reject.from_record(record, STAGE, code, verdict.reason).row())
    return kept, rejects
