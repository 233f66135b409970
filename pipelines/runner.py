"""Choosing and configuring the Beam runner.

``local`` is the FnApiRunner in multi-processing mode: no network, no Docker. Beam's DirectRunner would try
Prism first, which downloads a binary at start; multi-threading mode lost elements in a count test here.
Any other runner name (DataflowRunner, FlinkRunner, ...) goes to Beam as ``--runner`` with the extra args.
"""

from __future__ import annotations

import os

from apache_beam.options.pipeline_options import PipelineOptions

from reasonry.config import RunnerSection


def pipeline_options(runner: RunnerSection, extra_args: tuple[str, ...] | list[str] = ()) -> PipelineOptions:
    args = [*runner.beam_args, *extra_args]
    if runner.name == "local":
        workers = runner.workers or os.cpu_count() or 1
        return PipelineOptions(args, direct_running_mode="multi_processing", direct_num_workers=workers,
                               save_main_session=False, default_sdk_harness_log_level="WARNING")
    return PipelineOptions(["--runner", runner.name, *args], save_main_session=False)


def make_runner(runner: RunnerSection):
    """The runner object for ``beam.Pipeline(runner=...)``; None lets Beam read ``--runner``."""
    if runner.name == "local":
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner

        return FnApiRunner()
    return None


def counters(result, namespace: str) -> dict[str, int]:
    """The run's Beam counters in ``namespace``, by name, where the runner reports metrics (some do not: the
    callers' figures then come from the files they wrote)."""
    try:
        found = result.metrics().query()["counters"]
    except Exception:
        return {}
    totals: dict[str, int] = {}
    for c in found:
        if c.key.metric.namespace == namespace:
            value = c.committed if c.committed is not None else c.attempted
            totals[c.key.metric.name] = totals.get(c.key.metric.name, 0) + int(value or 0)
    return dict(sorted(totals.items()))
