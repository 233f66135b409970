"""The items an eval scores: a build's test records, filtered by task and bucket, with a seeded subsample.

Two sources give the same records:

- a build folder (or ``gs://`` URL): ``records/<family>/test-*.parquet``;
- a dataset id (or a folder with a data card) and a revision, through ``datasets.load_dataset``: every
  ``records-<family>`` config the card lists, split ``test``. On the Hub this needs the network; offline, the
  same path reads a local build folder (which is how the tests exercise it).

``select`` keeps the tasks matching ``--tasks`` globs and the ``--buckets``, then, with ``limit``, the first
``limit`` items of each (task, bucket) in the order of a hash of (seed, id): the same items on every run and
on every machine, whatever order the files list them in, and a larger limit keeps the smaller one's items.
"""

from __future__ import annotations

import fnmatch

from reasonry.errors import ConfigError
from reasonry.hashing import content_hash
from reasonry.record import from_row
from reasonry.storage import exists, glob, join

NO_BUCKET = "all"  # the bucket name of tasks without length ranges


def bucket_of(record: dict) -> str:
    return record.get("length_bucket") or NO_BUCKET


def load_build(root: str) -> list[dict]:
    """Every test record of a build folder."""
    import pyarrow.parquet as pq

    if not exists(join(root, "records")):
        raise ConfigError(f"{root!r} is not a build folder: it has no records/ (give a build folder, or "
                          "--dataset ID for a published dataset)", path="source")
    files = sorted(glob(root, "records/*/test-*.parquet"))
    if not files:
        raise ConfigError(f"{root!r} has no test split (records/<family>/test-*.parquet)", path="source")
    records: list[dict] = []
    for path in files:
        try:
            rows = pq.read_table(path).to_pylist()
        except Exception as exc:
            raise ConfigError(f"cannot read {path!r}: {exc}", path="source") from None
        records.extend(from_row(row) for row in rows)
    return records


def load_dataset_records(dataset: str, revision: str | None = None) -> list[dict]:
    """Every test record of a published dataset (``records-<family>`` configs) through ``datasets``."""
    import datasets

    try:
        names = datasets.get_dataset_config_names(dataset, revision=revision)
    except Exception as exc:
        raise ConfigError(f"cannot read the configs of dataset {dataset!r}: {exc}", path="--dataset") from None
    names = sorted(n for n in names if n.startswith("records-"))
    if not names:
        raise ConfigError(f"dataset {dataset!r} has no records-<family> config", path="--dataset")
    records: list[dict] = []
    for name in names:
        try:
            splits = datasets.load_dataset(dataset, name, revision=revision)
        except Exception as exc:
            raise ConfigError(f"cannot load {dataset!r} config {name!r}: {exc}", path="--dataset") from None
        if "test" in splits:
            records.extend(from_row(dict(row)) for row in splits["test"])
    if not records:
        raise ConfigError(f"dataset {dataset!r} has no test split", path="--dataset")
    return records


def select(records: list[dict], tasks: tuple[str, ...] = ("*",), buckets: tuple[str, ...] = (),
           limit: int = 0, seed: int = 0) -> list[dict]:
    """The items to score, grouped by (task, bucket) and in the seeded order inside each group."""
    groups: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for record in records:
        if record.get("split") != "test":
            continue
        if not any(fnmatch.fnmatchcase(record["task"], pattern) for pattern in tasks):
            continue
        bucket = bucket_of(record)
        if buckets and bucket not in buckets:
            continue
        groups.setdefault((record["task"], bucket), []).append((content_hash([seed, record["id"]]), record))
    if not groups:
        raise ConfigError(f"no test items match tasks {list(tasks)} and buckets {list(buckets) or 'any'}",
                          path="--tasks")
    out: list[dict] = []
    for key in sorted(groups):
        ordered = [r for _h, r in sorted(groups[key], key=lambda pair: (pair[0], pair[1]["id"]))]
        out.extend(ordered[:limit] if limit else ordered)
    return out
