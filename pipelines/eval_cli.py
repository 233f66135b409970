"""``reasonry eval``: the command behind the subcommand (flags -> config -> run -> reports).

Kept apart from ``cli.py`` so that the parser there stays a list of subcommands; Beam is imported only when
an eval runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from reasonry.errors import ConfigError, ReasonryError


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="score a model on a build's test splits, by task and length bucket",
                       description="Sample k completions per test item from an OpenAI-compatible server (or a "
                                   "vLLM server started here), grade them with the build's verifiers and report "
                                   "pass@1, pass@k, maj@k, a 95%% interval, output length and no-answer share "
                                   "per task and length bucket.")
    p.add_argument("source", nargs="?", help="a build folder (records/<family>/test-*.parquet)")
    p.add_argument("--dataset", metavar="ID", help="a published dataset id (or a folder with a data card), read "
                   "with datasets.load_dataset instead of a build folder")
    p.add_argument("--revision", help="the dataset revision (branch, tag or commit)")
    p.add_argument("--config", metavar="YAML", help="a file whose `eval` section sets any of the options below")
    p.add_argument("--model", help="the model: HF id or local path (what the server loads)")
    p.add_argument("--url", help="base URL of a running OpenAI-compatible server (without /v1)")
    p.add_argument("--spawn", action="store_true", help="start a vLLM server per worker, as the sampling stage does")
    p.add_argument("--server-python", metavar="PATH", help="interpreter with vllm (spawn; default .venv-vllm)")
    p.add_argument("--server-arg", action="append", metavar="ARG", help="extra vLLM server flag (spawn), repeatable")
    p.add_argument("--served-model-name", help="the name the server serves the model as (default: --model)")
    p.add_argument("--api", choices=("chat", "completions"))
    p.add_argument("--k", type=int, help="samples per item (default 1)")
    p.add_argument("--temperature", type=float, help="default 0.0")
    p.add_argument("--top-p", type=float)
    p.add_argument("--max-tokens", type=int, help="default 1024")
    p.add_argument("--seed", type=int, help="sampling and subsample seed (default 0)")
    p.add_argument("--tasks", action="append", metavar="GLOB", help="task glob, repeatable or comma-separated")
    p.add_argument("--buckets", help="length buckets to score, comma-separated: S,M,L (or all)")
    p.add_argument("--limit", type=int, help="at most N items per task and bucket (a seeded, stable subsample)")
    p.add_argument("--batch-size", type=int, help="items per unit of work (default 16)")
    p.add_argument("--max-failure-rate", type=float,
                   help="share of items whose request may fail before the eval fails (default 0.1)")
    p.add_argument("--tokenizer", help="tokenizer.json (or its folder) for counting output tokens")
    p.add_argument("--cache-dir", help="request cache (default cache/llm): a rerun makes no request")
    p.add_argument("--concurrency", type=int, help="requests in flight per worker")
    p.add_argument("--out", help="report folder (default out/eval/<model name>)")
    p.add_argument("--compare", metavar="EVAL_JSON", help="another eval.json to set side by side")
    p.add_argument("--workers", type=int, help="local Beam worker processes (default 1)")
    p.add_argument("--runner", help="Beam runner (default local); e.g. DataflowRunner with --beam-arg")
    p.add_argument("--beam-arg", action="append", metavar="ARG", help="extra Beam pipeline option, repeatable")
    p.set_defaults(fn=cmd_eval)


def _split(values) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def resolve_config(args):
    """The ``EvalConfig`` from ``--config``'s ``eval`` section with the flags on top."""
    # lazy, as in cmd_eval: every `reasonry` command builds this parser, only `reasonry eval` needs these
    from reasonry.config import from_dict
    from reasonry.evaluation.scoring import EvalConfig

    section: dict = {}
    if args.config:
        import yaml

        try:
            loaded = yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read {args.config!r}: {exc}", path="--config") from None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("eval", {}), dict):
            raise ConfigError(f"{args.config!r} needs an `eval` mapping", path="--config")
        section = dict(loaded.get("eval") or {})
    client = dict(section.pop("client", None) or {})
    client.setdefault("cache_dir", "cache/llm")
    for flag, key in (("model", "model"), ("url", "url"), ("served_model_name", "served_model_name"),
                      ("api", "api"), ("cache_dir", "cache_dir"), ("concurrency", "concurrency")):
        if getattr(args, flag) is not None:
            client[key] = getattr(args, flag)
    if args.spawn:
        client["mode"] = "spawn"
    server = dict(client.pop("server", None) or {})
    if args.server_python:
        server["python"] = args.server_python
    if args.server_arg:
        server["args"] = list(args.server_arg)
    if server:
        client["server"] = server
    for flag in ("k", "temperature", "top_p", "max_tokens", "seed", "limit", "batch_size", "max_failure_rate",
                 "tokenizer"):
        if getattr(args, flag) is not None:
            section[flag] = getattr(args, flag)
    if args.tasks:
        section["tasks"] = list(_split(args.tasks))
    if args.buckets:
        section["buckets"] = list(_split([args.buckets]))
    section["client"] = client
    return from_dict(EvalConfig, section, "eval")


def _progress(console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not console.is_terminal:
        state = {"last": -1.0}

        def plain(done, total):
            pct = 100.0 * done / total if total else 100.0
            if pct - state["last"] >= 10 or (done == total and state["last"] < 100):
                state["last"] = pct
                print(f"progress: {done}/{total} items ({pct:.0f}%)", file=sys.stderr, flush=True)

        return None, plain
    progress = Progress(TextColumn("[bold]evaluating"), BarColumn(), MofNCompleteColumn(), TextColumn("items"),
                        TimeElapsedColumn(), console=console)
    bar = progress.add_task("eval", total=None)

    def update(done, total):
        progress.update(bar, completed=done, total=total)

    return progress, update


def cmd_eval(args) -> int:
    from rich.console import Console

    # lazy: every `reasonry` command (`reasonry list` too) imports this module for its parser; these load only
    # when an eval runs (the scorer needs httpx, the pipeline Beam)
    from reasonry.config import RunnerSection
    from reasonry.evaluation import items as eval_items
    from reasonry.evaluation import report as eval_report
    from reasonry.storage import join, write_bytes

    if bool(args.source) == bool(args.dataset):
        raise ConfigError("give a build folder or --dataset ID (exactly one)", path="source")
    config = resolve_config(args)
    if args.source:
        records = eval_items.load_build(args.source)
        source = {"kind": "build", "name": str(args.source)}
    else:
        records = eval_items.load_dataset_records(args.dataset, args.revision)
        source = {"kind": "dataset", "name": args.dataset, "revision": args.revision}
    if config.k > 1 and config.temperature == 0:
        print(f"reasonry: warning: k={config.k} at temperature 0 asks for the same greedy reply {config.k} times; "
              "pass@k and maj@k then equal pass@1", file=sys.stderr)
    other = eval_report.load(args.compare) if args.compare else None
    selected = eval_items.select(records, config.tasks, config.buckets, config.limit, config.seed)
    name = config.client.name.rstrip("/").rsplit("/", 1)[-1] or "model"
    out = args.out or str(Path("out") / "eval" / name)
    runner = RunnerSection(name=args.runner or "local", workers=args.workers or 1)
    console = Console(stderr=True, highlight=False)
    progress, update = _progress(console)
    from reasonry.pipelines.build_session import BuildLog, describe_failure
    from reasonry.pipelines.eval import EvalFailed, run_eval  # Beam logs while it loads

    # Beam's and the workers' chatter goes to OUT/.logs; the terminal keeps the progress and the report.
    with BuildLog(out, f"eval-{name}") as log:
        try:
            if progress:
                with progress:
                    run = run_eval(config, selected, out, runner=runner, beam_args=tuple(args.beam_arg or ()),
                                   on_progress=update)
            else:
                run = run_eval(config, selected, out, runner=runner, beam_args=tuple(args.beam_arg or ()),
                               on_progress=update)
        except (KeyboardInterrupt, ReasonryError) as exc:
            log.write_traceback(exc)
            raise
        except Exception as exc:  # a runner or worker failure (an unreachable server): one line; rerun resumes
            log.write_traceback(exc)
            print(f"reasonry: error: eval stopped: {describe_failure(exc)} (finished batches are kept in {out}, "
                  f"rerun to resume; full log: {log.shown_path})", file=sys.stderr)
            return 1
    report = eval_report.build_report(run.items, k=config.k, model=config.client.name, source=source,
                                      sampling=config.sampling())
    write_bytes(join(out, "eval.json"), eval_report.dumps(report).encode("utf-8"))
    lines = "".join(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n" for item in run.items)
    write_bytes(join(out, "items.jsonl"), lines.encode("utf-8"))
    comparison = eval_report.compare(report, other) if other is not None else None
    eval_report.write_markdown(report, out, comparison)
    sys.stdout.write(eval_report.table_text(report))
    if comparison is not None:
        write_bytes(join(out, "compare.json"), eval_report.dumps(comparison).encode("utf-8"))
        sys.stdout.write(eval_report.compare_text(comparison))
    print(f"requests: {run.requests} sent, {run.cache_hits} answered from the cache; "
          f"{run.batches_reused} of {run.batches} batches reused from {out}", file=sys.stderr)
    print(f"report: {join(out, 'eval.md')}   json: {join(out, 'eval.json')}", file=sys.stderr)
    errors, total = report["overall"]["errors"], len(run.items)
    if total and errors / total > config.max_failure_rate:
        raise EvalFailed(f"{errors} of {total} items failed (over max_failure_rate={config.max_failure_rate}); "
                         f"see errors in {join(out, 'items.jsonl')}")
    return 0
