"""``stages.prototypes``: a model writes Prolog prototypes for natural-language problems of the build.

Records whose task matches ``tasks`` lend their prompt as the problem and their verified answer as the anchor;
every problem with a model-written program that computes its output, runs in the sandboxed SWI-Prolog pool and
prints the source's verified answer (and, with ``prototype.evolve``, its harder variant) becomes a
``prolog/model_written/execution`` record, added to the build next to its source. Problems without one are
rejects (stage ``prototypes``) with the reasons of every sample.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.llm.prototypes import PrototypeConfig, to_record, write_prototypes
from reasonry.models.client import ModelClient
from reasonry.models.config import ClientConfig, required_client
from reasonry.rejects import Reject

STAGE = "prototypes"
TASK = "prolog/model_written/execution"


@dataclass(frozen=True)
class PrototypeStageConfig:
    enabled: bool = True
    client: ClientConfig | None = None
    # which records' prompts are natural-language problems worth a prototype
    tasks: tuple[str, ...] = ("webqa/*", "prolog/*/solve")
    prototype: PrototypeConfig = field(default_factory=PrototypeConfig)

    def __post_init__(self):
        require(not self.enabled or self.client is not None, "client", "the prototype stage needs a client")
        require(bool(self.tasks), "tasks", "name at least one task pattern")


class PrototypeStage:
    def __init__(self, config: PrototypeStageConfig, client: ModelClient | None = None):
        self.config = config
        self.client = client

    def setup(self) -> None:
        """Makes the client; it connects on its first request, so a worker whose batches hold no eligible
        record (or whose requests are all cached) needs no server."""
        if self.client is None:
            self.client = ModelClient(required_client(self.config.client, "stages.prototypes.client"))

    def teardown(self) -> None:
        if self.client is not None:
            self.client.close()

    def wants(self, record: dict) -> bool:
        return self.config.enabled and any(fnmatch.fnmatchcase(record["task"], p) for p in self.config.tasks)

    def process(self, batch: list[dict]) -> tuple[list[dict], list[dict], dict]:
        """(new prototype records, rejects, counts) for the eligible records of one batch."""
        sources = {r["id"]: r for r in batch if self.wants(r)}
        if not sources:
            return [], [], {}
        if self.client is None:
            self.setup()
        assert self.client is not None  # setup made it (or raised)
        problems = [{"id": rid, "record": r} for rid, r in sources.items()]
        kept, failures, stats = write_prototypes(self.client, problems, self.config.prototype)
        records = []
        for prototype in kept:
            source = sources[prototype["id"]]
            for evolved in (False, True) if prototype["evolved"] else (False,):
                record = to_record(prototype, evolved=evolved)
                # the prototype belongs to its source's split, so a test problem never trains a model
                record = {**record, "split": source["split"],
                          "provenance": {**record["provenance"], "index": source["provenance"].get("index", 0),
                                         "source_task": source["task"], "source_id": source["id"]}}
                records.append(record)
        # charged to the task the prototype would have been, placed by its source's split and index
        rejects = [Reject.from_record(sources[f["id"]], STAGE, f["reason"], f["detail"], task=TASK).row()
                   for f in failures]
        return records, rejects, stats


def batch_logic(config: PrototypeStageConfig, build_seed: int) -> PrototypeStage:
    return PrototypeStage(config)
