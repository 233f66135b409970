"""Running the build on Google Cloud Dataflow: worker options and the flex-template entry point.

The graph is the one ``reasonry build`` runs locally (``reasonry.pipelines.build.build_graph``); only the
options differ. Workers get the project from a custom container (``dataflow/Dockerfile.cpu`` or
``dataflow/Dockerfile.gpu``), which holds our wheel, SWI-Prolog and, for GPU workers, vLLM in its own virtual
environment, so nothing is installed when a worker starts. ``--sdk_location container`` tells Beam to use the
SDK inside that image instead of staging one.
"""

from __future__ import annotations

import argparse
import sys

# Dataflow's accelerator syntax; the driver comes from Google's image, CUDA from the wheels in the container.
GPU_SERVICE_OPTION = "worker_accelerator=type:{gpu};count:{count};install-nvidia-driver"


def worker_args(*, project: str, region: str, bucket: str, image: str, job_name: str | None = None,
                machine_type: str | None = None, max_workers: int | None = None, gpu: str | None = None,
                gpu_count: int = 1) -> list[str]:
    """Beam arguments for a Dataflow job whose workers run our container.

    ``bucket`` is a ``gs://`` URL that holds temp and staging files. With ``gpu`` (e.g. ``nvidia-l4``) each
    worker VM gets that accelerator and runs one SDK process, so one vLLM server owns the GPU.
    """
    bucket = bucket.rstrip("/")
    args = ["--project", project, "--region", region, "--temp_location", f"{bucket}/tmp",
            "--staging_location", f"{bucket}/staging", "--sdk_container_image", image,
            "--sdk_location", "container", "--experiments", "use_runner_v2"]
    if job_name:
        args += ["--job_name", job_name]
    if machine_type:
        args += ["--machine_type", machine_type]
    if max_workers:
        args += ["--max_num_workers", str(max_workers)]
    if gpu:
        args += ["--dataflow_service_options", GPU_SERVICE_OPTION.format(gpu=gpu, count=gpu_count),
                 "--experiments", "no_use_multiple_sdk_containers"]
    return args


def parse_launch_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our parameters (config, output, overrides); everything else goes to Beam unchanged."""
    parser = argparse.ArgumentParser(prog="reasonry-dataflow", description="Submit a reasonry build to Dataflow.")
    parser.add_argument("--config", required=True, help="build config (a path inside the launcher image)")
    parser.add_argument("--out", required=True, help="output root, a gs:// URL")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override")
    parser.add_argument("--wait", action="store_true",
                        help="block until the job finishes, then write the manifest and card (else: reasonry finalize)")
    return parser.parse_known_args(argv)


def build_pipeline(config, out: str, beam_args: list[str]):
    """The build's Beam pipeline with Dataflow options, constructed but not run."""
    import apache_beam as beam

    from reasonry.pipelines.build import CACHE, build_graph, staging_root
    from reasonry.pipelines.runner import pipeline_options
    from reasonry.plan import plan_shards
    from reasonry.storage import join

    p = beam.Pipeline(options=pipeline_options(config.runner, tuple(beam_args)))
    # The same layout as a local build: files land in OUT/.staging and `reasonry finalize` (or `--wait`)
    # writes the manifest and card and moves them into place; finished shards are cached in OUT/.cache.
    staging = staging_root(out)
    build_graph(p, config, plan_shards(config), staging, join(staging, ".progress"), join(out, CACHE))
    return p


def main(argv: list[str] | None = None) -> int:
    """Flex-template entry point: ``--config``, ``--out`` and ``--set`` are ours, the rest are Beam options."""
    from reasonry.config import load_config

    args, beam_args = parse_launch_args(sys.argv[1:] if argv is None else argv)
    if not args.out.startswith("gs://"):
        print("reasonry-dataflow: --out must be a gs:// URL (workers cannot see the launcher's disk)", file=sys.stderr)
        return 2
    config = load_config(args.config, [*args.set, "runner.name=DataflowRunner"])
    if args.wait:
        from reasonry.pipelines.build import run_build

        run_build(config, args.out, beam_args=tuple(beam_args))
        print(f"reasonry-dataflow: build written to {args.out}")
        return 0
    build_pipeline(config, args.out, beam_args).run()
    set_args = "".join(f" --set {s}" for s in args.set)
    print(f"reasonry-dataflow: job submitted; when it has finished, run:\n"
          f"  reasonry finalize {args.config} --out {args.out}{set_args}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
