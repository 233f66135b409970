import pytest

from reasonry.errors import RecordError
from reasonry.record import from_row, make_record, to_row, validate


def _record(**over):
    record = make_record(family="tail", task="tail/addition", problem={"x": 1}, prompt="What is 1+1?", answer="2",
                         answer_type="integer", verifier_kind="tail", verifier_spec={"task": "tail/addition"},
                         trace="1+1=2\nFinal answer: 2")
    record.update(over)
    return record


def test_valid_record_roundtrips_through_parquet_row_form():
    record = _record()
    assert validate(record) is record
    assert from_row(to_row(record)) == record


def test_same_problem_same_id_and_other_problem_other_id():
    a = make_record(family="tail", task="tail/addition", problem={"x": 1}, prompt="p", answer="1",
                    answer_type="integer", verifier_kind="tail", verifier_spec={})
    b = make_record(family="tail", task="tail/addition", problem={"x": 1}, prompt="other wording", answer="1",
                    answer_type="integer", verifier_kind="tail", verifier_spec={})
    c = make_record(family="tail", task="tail/addition", problem={"x": 2}, prompt="p", answer="1",
                    answer_type="integer", verifier_kind="tail", verifier_spec={})
    assert a["id"] == b["id"] != c["id"]


@pytest.mark.parametrize("field,value,message", [
    ("family", "chess", "family"),
    ("task", "prolog/x", "task"),
    ("split", "dev", "split"),
    ("length_bucket", "XL", "length_bucket"),
    ("answer_type", "vibes", "answer_type"),
    ("prompt", "", "prompt"),
    ("answer", 3, "answer"),
    ("trace", 5, "trace"),
    ("verifier", {"spec": {}}, "verifier.kind"),
    ("meta", {"x": float("nan")}, "meta.x"),
    ("meta", {"x": object()}, "meta.x"),
    ("rollouts", [{"text": "t", "answer": "a", "correct": "yes", "reason": ""}], "rollouts[0].correct"),
])
def test_validator_names_the_offending_field(field, value, message):
    with pytest.raises(RecordError) as info:
        validate(_record(**{field: value}))
    assert info.value.field == message


def test_missing_and_unknown_fields_are_named():
    record = _record()
    del record["prompt"]
    with pytest.raises(RecordError, match="prompt"):
        validate(record)
    with pytest.raises(RecordError, match="colour"):
        validate(_record(colour="red"))
