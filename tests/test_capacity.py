"""Capacity: a request for more items than a bucket has distinct problems is said before the build, can be
made an error, and a far larger one keeps its duplicates compact (the 1,000,000-item case is in
bench/duplicates.py, which measures its peak memory)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from reasonry.capacity import COMPACT_SURPLUS, capacity_warnings, crowded_tasks
from reasonry.config import load_config
from reasonry.errors import ConfigError
from reasonry.registry import get_task

# n in 3..4: two distinct problems
NARROW = {"sizes": {"S": [3, 4]}}


def _config(train_s: int, **build):
    return load_config(data={"build": {"name": "crowded", "seed": 2, "shard_size": 5000, "output_shards": 2, **build},
                             "runner": {"workers": 2},
                             "tasks": {"tail/derangement": {"train": {"S": train_s}, "options": NARROW},
                                       "tail/addition": {"train": {"S": 5}}}})


def test_capacity_estimates_are_exact_where_the_problem_space_is_small():
    derangement, prime, growth = (get_task(f"tail/{n}") for n in ("derangement", "prime_search",
                                                                       "population_growth"))
    assert derangement.capacity(derangement.default_config(), "S") == 28  # n in 3..30
    assert prime.capacity(prime.default_config(), "S") == sum(range(5, 101))  # (n, m), 1 <= n <= m
    config = growth.default_config()
    assert growth.capacity(config, "S") == 10 * 4 * 100 * 3
    assert get_task("tail/addition").capacity(get_task("tail/addition").default_config(), "S") is None
    # the estimate is an upper bound that generation reaches: every n of 3..30 is drawn in 2000 items
    from reasonry.rng import item_rng
    from reasonry.task import ItemKey

    ids = {derangement.generate(derangement.default_config(), ItemKey("tail/derangement", "train", "S", i),
                                item_rng(0, "tail/derangement", i, "train", "S"))["id"] for i in range(2000)}
    assert len(ids) == 28


def test_dry_run_warns_with_the_number_to_expect_and_the_key_makes_it_an_error(tmp_path, capsys):
    import yaml

    from reasonry.pipelines.cli import main

    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump({"build": {"name": "big"},
                                    "tasks": {"tail/derangement": {"train": {"S": 1_000_000}, "test": {"S": 2}},
                                              "tail/addition": {"train": {"S": 1_000_000}}}}))
    assert main(["build", str(path), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert err == ("reasonry: warning: tail/derangement bucket S: 1000002 items requested, but it has at most 28 "
                   "distinct problems; expect at most 28 items, the rest counted as duplicate_id "
                   "(build.over_capacity=error makes this an error)\n")
    out = tmp_path / "out"
    assert main(["build", str(path), "--out", str(out), "--set", "build.over_capacity=error"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "build.over_capacity: tail/derangement bucket S: 1000002 items" in err
    assert not out.exists()  # stopped before anything was touched
    with pytest.raises(ConfigError, match="over_capacity"):
        load_config(data={"build": {"over_capacity": "maybe"}})
    # the key decides whether a build runs, never what it writes
    assert load_config(path).config_hash() == load_config(path, ["build.over_capacity=error"]).config_hash()


def test_a_crowded_request_warns_keeps_each_problem_once_and_writes_compact_duplicates(tmp_path):
    from reasonry.pipelines.build import run_build

    n = COMPACT_SURPLUS + 10
    config = _config(n)
    assert crowded_tasks(config) == {"tail/derangement"} and crowded_tasks(_config(100)) == frozenset()
    assert len(capacity_warnings(config)) == 1
    warnings: list[str] = []
    result = run_build(config, tmp_path / "out", on_warning=warnings.append)
    assert warnings == capacity_warnings(config)
    entry = result.manifest["tasks"]["tail/derangement"]
    assert entry["planned"] == n and entry["kept"] == 2 and entry["dropped"] == {"duplicate_id": n - 2}
    rejects = pq.read_table(sorted((tmp_path / "out" / "rejects").rglob("*.parquet"))).to_pylist()
    duplicates = [r for r in rejects if r["task"] == "tail/derangement"]
    assert len(duplicates) == n - 2 and len({r["index"] for r in duplicates}) == n - 2
    assert all(r["reason"] == "duplicate_id" and r["record"] is None and r["detail"] == f"duplicate of {r['id']}"
               for r in duplicates)
    kept = {r["id"] for r in pq.read_table(sorted((tmp_path / "out" / "records").rglob("*.parquet"))).to_pylist()}
    assert {r["id"] for r in duplicates} <= kept
