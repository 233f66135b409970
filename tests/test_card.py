"""The data card's pieces that do not need a build."""

from __future__ import annotations

import pytest

from reasonry.data_cards.render import hub_features, hub_path, split_of
from reasonry.tables import EXPORT_SCHEMAS, RECORD_SCHEMA, REJECT_SCHEMA


@pytest.mark.parametrize("schema", [RECORD_SCHEMA, REJECT_SCHEMA, *EXPORT_SCHEMAS.values()])
def test_features_match_what_datasets_derives(schema):
    from datasets import Features

    def normalise(value):
        if isinstance(value, dict):
            return {k: normalise(v) for k, v in value.items()}
        if isinstance(value, list):
            return [normalise(v) for v in value]
        return value

    ours = hub_features(schema)
    theirs = Features.from_arrow_schema(schema)._to_yaml_list()
    assert normalise(ours) == normalise(theirs)
    assert Features._from_yaml_list(ours) == Features.from_arrow_schema(schema)


def test_hub_paths_and_splits():
    assert hub_path("sft/tail/train-00000-of-00004.parquet") == "data/sft-tail/train-00000-of-00004.parquet"
    assert hub_path("rejects/pddl/part-00001-of-00002.parquet") == "data/rejects-pddl/rejected-00001-of-00002.parquet"
    assert split_of("rejects/pddl/part-00001-of-00002.parquet") == "rejected"
    assert split_of("rl/mcts/test-00000-of-00001.parquet") == "test"
