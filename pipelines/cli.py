"""The ``reasonry`` command line: list, sample, build, verify, publish, eval.

Beam is imported only by ``build``, so ``list`` and ``sample`` start instantly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reasonry.errors import BuildFailed, ConfigError, ReasonryError, RecordError, UnknownNameError


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def cmd_list(args) -> int:
    from reasonry.registry import task_index

    index = task_index()
    if args.format == "json":
        print(json.dumps({name: desc for name, (_t, desc) in index.items()}, indent=2))
        return 0
    from rich.table import Table

    table = Table(title=f"{len(index)} tasks")
    table.add_column("task")
    table.add_column("what it produces")
    for name, (_target, description) in index.items():
        table.add_row(name, description)
    _console().print(table)
    return 0


def cmd_sample(args) -> int:
    from reasonry.config import parse_override
    from reasonry.registry import get_task, get_verifier
    from reasonry.rng import item_rng
    from reasonry.task import ItemKey, Skip, item_provenance

    task = get_task(args.task)
    bucket = args.bucket
    if task.buckets:
        bucket = bucket or task.buckets[0]
        if bucket not in task.buckets:
            raise ConfigError(f"{args.task} has buckets {list(task.buckets)}, not {bucket!r}", path="--bucket")
    elif bucket:
        raise ConfigError(f"{args.task} has no length buckets", path="--bucket")
    options: dict = {}
    for text in args.option or ():
        parts, value = parse_override(text)
        node = options
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    config = task.make_config(options, f"{args.task} options")
    console = _console()
    shown = 0
    for index in range(args.start, args.start + args.n):
        key = ItemKey(args.task, args.split, bucket, index)
        try:
            record = task.generate(config, key, item_rng(args.seed, args.task, index, args.split, bucket))
        except (Skip, RecordError) as exc:  # what a build counts as a reject (a limit reached, no unique puzzle)
            print(f"# index {index}: rejected ({getattr(exc, 'reason', None) or 'invalid_record'})", file=sys.stderr)
            continue
        if record is None:
            print(f"# index {index}: the generator found no instance", file=sys.stderr)
            continue
        record["provenance"] = item_provenance(task, key, seed=args.seed)
        shown += 1
        if args.format == "json":
            sys.stdout.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
            continue
        verdict = get_verifier(record["verifier"]["kind"]).verify(record["verifier"]["spec"], record["answer"])
        console.rule(f"{record['task']} #{index} [{record['split']}/{record['length_bucket'] or 'all'}] "
                     f"id={record['id'][:12]}")
        console.print("[bold]Prompt[/bold]")
        console.print(record["prompt"], markup=False)
        if record["trace"]:
            console.print("[bold]Trace[/bold]")
            console.print(record["trace"], markup=False)
        console.print(f"[bold]Answer[/bold] {record['answer']}  (verifier: {verdict.reason})", markup=True)
    return 0 if shown else 1


def _progress_printer(console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not console.is_terminal:
        state = {"last": -1.0}

        def plain(done, shards, total):
            pct = 100.0 * done / total if total else 100.0
            if pct - state["last"] >= 10 or (done == total and state["last"] < 100):
                state["last"] = pct
                console.print(f"progress: {done}/{total} items ({pct:.0f}%), {shards} shards done")

        return None, plain
    progress = Progress(TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(), TextColumn("items"),
                        TimeElapsedColumn(), console=console)
    bar = progress.add_task("build", total=None)

    def update(done, shards, total):
        progress.update(bar, completed=done, total=total)

    return progress, update


def print_summary(console, result) -> None:
    from rich.table import Table

    table = Table(title=f"build {result.manifest['build']['name']} in {result.seconds:.1f}s")
    for col in ("task", "planned", "generated", "kept", "dropped by reason"):
        table.add_column(col, justify="right" if col in ("planned", "generated", "kept") else "left")
    totals = [0, 0, 0]
    for name, t in result.tasks.items():
        dropped = ", ".join(f"{k}={v}" for k, v in t["dropped"].items()) or "-"
        table.add_row(name, str(t["planned"]), str(t["generated"]), str(t["kept"]), dropped)
        totals = [totals[0] + t["planned"], totals[1] + t["generated"], totals[2] + t["kept"]]
    table.add_row("total", *map(str, totals), "", style="bold")
    console.print(table)
    from reasonry.storage import join

    out = result.out if isinstance(result.out, str) else str(result.out.resolve())
    console.print(f"output: {out}")
    console.print(f"  data card: {join(out, 'README.md')}   manifest: {join(out, 'manifest.json')}")


def cmd_build(args) -> int:
    from reasonry.pipelines.build_session import Signals, pending_interrupt

    # from the start: a Ctrl-C while Beam is still importing ends the same way as one mid-build
    with Signals():
        try:
            return _build(args)
        except Exception as exc:
            stop = pending_interrupt()
            if stop is not None:
                raise stop from exc
            raise


def _build(args) -> int:
    from reasonry.capacity import capacity_warnings
    from reasonry.config import dump_config, load_config

    config = load_config(args.config, args.set or ())
    if args.dry_run:
        sys.stdout.write(dump_config(config))
        for line in capacity_warnings(config):
            print(f"reasonry: warning: {line}", file=sys.stderr)
        return 0
    capacity_warnings(config)  # with build.over_capacity=error: stop before anything is touched
    from reasonry.pipelines.build_session import BuildLog, describe_failure, pending_interrupt

    console = _console()
    out = args.out or str(Path("out") / config.build.name)
    if args.resume and args.fresh:
        raise ConfigError("--resume and --fresh contradict each other", path="build")
    from reasonry.storage import exists, join

    if args.resume and not exists(join(out, ".cache", "shards")):
        raise ConfigError(f"nothing to resume: {str(out)!r} has no shard cache from an earlier run", path="--resume")
    progress, update = _progress_printer(console)

    def warn(line: str) -> None:
        print(f"reasonry: warning: {line}", file=sys.stderr, flush=True)

    kwargs = {"beam_args": tuple(args.beam_arg or ()), "on_progress": update, "use_cache": not args.fresh,
              "on_warning": warn}
    with BuildLog(out, f"{config.build.name}-{config.config_hash()[:12]}") as log:
        try:
            # imported here: Beam logs while it loads
            from reasonry.pipelines.build import run_build

            if progress:
                with progress:
                    result = run_build(config, out, **kwargs)
            else:
                result = run_build(config, out, **kwargs)
        except ReasonryError as exc:
            log.write_traceback(exc)
            if (stop := pending_interrupt()) is not None:
                raise stop from exc
            if not isinstance(exc, BuildFailed):
                raise
            console.print(f"[red]build failed:[/red] {exc}", markup=True, highlight=False)
            console.print(f"output: {out}   log: {log.shown_path}", markup=False)
            return 3
        except KeyboardInterrupt as exc:
            log.write_traceback(exc)
            raise
        except Exception as exc:  # a runner, storage or engine failure: one line, the rest in the log
            log.write_traceback(exc)
            if (stop := pending_interrupt()) is not None:
                raise stop from exc
            print(f"reasonry: error: {describe_failure(exc)} (full log: {log.shown_path})", file=sys.stderr)
            return 1
    print_summary(console, result)
    reused = result.manifest["run"]["shards_reused"]
    if reused:
        console.print(f"reused {reused} of {result.manifest['run']['shards']} shards from the cache")
    return 0


def cmd_finalize(args) -> int:
    """Finish a build whose pipeline ran elsewhere (a Dataflow job submitted without waiting)."""
    from reasonry.config import load_config
    from reasonry.output_lock import OutputLock
    from reasonry.pipelines.build import finalize_build

    config = load_config(args.config, args.set or ())
    with OutputLock(args.out):
        manifest = finalize_build(config, args.out)
    kept = sum(t["kept"] for t in manifest["tasks"].values())
    _console().print(f"finalized {args.out}: {kept} records in {len(manifest['tasks'])} tasks")
    return 0


def cmd_verify(args) -> int:
    from reasonry.verifiers.reverify import reverify_build, score_answers

    console = _console()
    if args.answers:
        report = score_answers(Path(args.target), Path(args.answers))
        for row in report["results"]:
            mark = "ok " if row["ok"] else "NO "
            console.print(f"{mark} {row['id']}  {row['reason']}", markup=False)
        console.print(f"total: {report['correct']}/{report['total']} correct, {report['unknown_ids']} unknown ids")
        return 0
    report = reverify_build(Path(args.target))
    for task, counts in report["tasks"].items():
        console.print(f"{task}: {counts['ok']}/{counts['total']} verify", markup=False)
    for failure in report["failures"][:20]:
        console.print(f"FAIL {failure['id']} {failure['task']}: {failure['reason']}", markup=False)
    console.print(f"total: {report['ok']}/{report['total']} records verify")
    return 0 if report["ok"] == report["total"] else 1


def cmd_publish(args) -> int:
    from reasonry.pipelines.publish import publish

    publish(Path(args.out), args.repo, private=args.private, revision=args.revision, tag=args.tag,
            dry_run=args.dry_run)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reasonry", description="Build verified reasoning training data.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="tasks and what they produce")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(fn=cmd_list)

    p = sub.add_parser("sample", help="look at a few items of one task")
    p.add_argument("task")
    p.add_argument("-n", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--start", type=int, default=0, help="first item index")
    p.add_argument("--split", choices=("train", "test"), default="train")
    p.add_argument("--bucket", choices=("S", "M", "L"))
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--option", "-o", action="append", metavar="KEY=VALUE", help="a task option, e.g. rendering=styled")
    p.set_defaults(fn=cmd_sample)

    p = sub.add_parser("build", help="run the pipeline for a config")
    p.add_argument("config")
    p.add_argument("--out", help="output folder (default out/<build.name>)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key, e.g. build.seed=3")
    p.add_argument("--dry-run", action="store_true", help="print the resolved config and stop")
    p.add_argument("--beam-arg", action="append", metavar="ARG", help="extra Beam pipeline option, repeatable")
    p.add_argument("--resume", action="store_true",
                   help="continue a killed build from the shards it finished (unchanged shards are always reused)")
    p.add_argument("--fresh", action="store_true", help="ignore and clear the shard cache: regenerate everything")
    p.set_defaults(fn=cmd_build)

    p = sub.add_parser("finalize", help="write the manifest and card of a build whose pipeline ran elsewhere")
    p.add_argument("config")
    p.add_argument("--out", required=True, help="the build's output folder or URL")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="the overrides the build ran with")
    p.set_defaults(fn=cmd_finalize)

    p = sub.add_parser("verify", help="re-verify a build, or score a JSONL of {id, answer} against it")
    p.add_argument("target", help="a build folder, or a records Parquet file")
    p.add_argument("--answers", help="JSONL file of candidate answers {\"id\", \"answer\"}")
    p.set_defaults(fn=cmd_verify)

    p = sub.add_parser("publish", help="upload a build to the Hugging Face Hub as one tagged commit")
    p.add_argument("out", help="the build folder")
    p.add_argument("--repo", required=True, metavar="ORG/NAME", help="dataset repository (created if needed)")
    p.add_argument("--private", action="store_true",
                   help="create the repository as private, or make an existing one private")
    p.add_argument("--revision", metavar="BRANCH", help="branch to commit to (created if needed; default main)")
    p.add_argument("--tag", help="tag for the commit (default build-YYYYMMDD of the build)")
    p.add_argument("--dry-run", action="store_true", help="list what would be uploaded and stop")
    p.set_defaults(fn=cmd_publish)

    from reasonry.pipelines.eval_cli import add_parser as add_eval_parser

    add_eval_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.fn(args)
    except (ConfigError, UnknownNameError) as exc:
        print(f"reasonry: error: {exc}", file=sys.stderr)
        return 2
    except ReasonryError as exc:
        print(f"reasonry: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        print("reasonry: interrupted", file=sys.stderr)
        return getattr(exc, "exit_code", 130)


if __name__ == "__main__":
    sys.exit(main())
