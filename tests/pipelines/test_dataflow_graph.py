"""The build on Dataflow, checked without Google Cloud: graph, options, serialisation, worker packaging.

Nothing here can reach Google Cloud, so no job is submitted. Instead: the pipeline is constructed with a real
``DataflowRunner`` and Dataflow options (Beam validates project, region and gs:// locations when the pipeline
is created), serialised to the runner-API proto a job submission sends, and the DoFns in that proto are
unpickled and run in a fresh Python process, as a worker would. The wheel the worker images install is built
and inspected, and the container/template files are checked against the versions in use here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import GoogleCloudOptions, SetupOptions, WorkerOptions
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2
from apache_beam.transforms.environments import DockerEnvironment

from reasonry.config import load_config
from reasonry.pipelines.dataflow import build_pipeline, main, worker_args

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "europe-west1-docker.pkg.dev/reasonry-nightly/reasonry/worker-cpu:test"
OUT = "gs://reasonry-nightly-out/tiny"


def _args(**kw) -> list[str]:
    return worker_args(project="reasonry-nightly", region="europe-west1", bucket="gs://reasonry-nightly-tmp",
                       image=IMAGE, job_name="reasonry-tiny-test", **kw)


@pytest.fixture(scope="module")
def pipeline():
    config = load_config(ROOT / "configs/tiny.yaml", ["runner.name=DataflowRunner"])
    return config, build_pipeline(config, OUT, _args(max_workers=4))


@pytest.fixture(scope="module")
def proto(pipeline):
    _config, p = pipeline
    return p.to_runner_api(default_environment=DockerEnvironment.from_container_image(IMAGE))


def test_pipeline_is_built_for_dataflow_with_validated_options(pipeline):
    _config, p = pipeline
    assert type(p.runner).__name__ == "DataflowRunner"
    cloud = p.options.view_as(GoogleCloudOptions)
    assert (cloud.project, cloud.region) == ("reasonry-nightly", "europe-west1")
    assert cloud.temp_location == "gs://reasonry-nightly-tmp/tmp"
    assert p.options.view_as(WorkerOptions).sdk_container_image == IMAGE
    assert p.options.view_as(WorkerOptions).max_num_workers == 4
    assert p.options.view_as(SetupOptions).sdk_location == "container"
    with pytest.raises(ValueError, match="temp_location|GCS"):  # Beam validates Dataflow options on creation
        build_pipeline(load_config(ROOT / "configs/tiny.yaml", ["runner.name=DataflowRunner"]), OUT,
                       ["--project", "reasonry-nightly", "--region", "europe-west1", "--temp_location", "/tmp/x"])


def test_gpu_workers_get_an_accelerator_and_one_sdk_process():
    args = _args(gpu="nvidia-l4", machine_type="g2-standard-8")
    config = load_config(ROOT / "configs/tiny.yaml", ["runner.name=DataflowRunner"])
    p = build_pipeline(config, OUT, args)
    service = p.options.view_as(GoogleCloudOptions).dataflow_service_options
    assert service == ["worker_accelerator=type:nvidia-l4;count:1;install-nvidia-driver"]
    assert "no_use_multiple_sdk_containers" in p.options.view_as(beam.options.pipeline_options.DebugOptions).experiments


def test_graph_serialises_with_our_transforms_and_the_worker_image(proto):
    data = proto.SerializeToString()
    again = beam_runner_api_pb2.Pipeline.FromString(data)
    names = {t.unique_name for t in again.components.transforms.values()}
    for name in ("ShardSpecs", "Reshuffle", "GenerateAndVerify", "DedupAndWrite", "DedupAndWrite/Write"):
        assert name in names
    (env,) = again.components.environments.values()
    assert env.urn == common_urns.environments.DOCKER.urn
    assert beam_runner_api_pb2.DockerPayload.FromString(env.payload).container_image == IMAGE
    pardos = [t for t in again.components.transforms.values() if t.spec.urn == common_urns.primitives.PAR_DO.urn]
    assert pardos and all(t.environment_id in again.components.environments for t in pardos)


WORKER = r"""
import json, sys
from apache_beam.internal import pickler
from apache_beam.portability import common_urns, python_urns
from apache_beam.portability.api import beam_runner_api_pb2
from reasonry.plan import plan_shards
from reasonry.registry import get_verifier

proto = beam_runner_api_pb2.Pipeline.FromString(open(sys.argv[1], "rb").read())
fns = {}
for t in proto.components.transforms.values():
    if t.spec.urn != common_urns.primitives.PAR_DO.urn:
        continue
    do_fn = beam_runner_api_pb2.ParDoPayload.FromString(t.spec.payload).do_fn
    if do_fn.urn == python_urns.PICKLED_DOFN_INFO:
        fn = pickler.loads(do_fn.payload)[0]
        fns[type(fn).__name__] = fn
gen = fns["GenerateShardFn"]
where = {"cache": gen.cache_dir, "progress": gen.progress_dir, "root": fns["WriteGroupFn"].root}
gen.cache_dir = gen.progress_dir = None  # gs:// is unreachable here: run the shard without cache and markers
gen.setup()
spec = plan_shards(gen.config)[0]
batches = list(gen.process(spec))
records = [r for b in batches if isinstance(b, list) for r in b]
ok = [get_verifier(r["verifier"]["kind"]).verify(r["verifier"]["spec"], r["answer"]).ok for r in records]
gen.teardown()
print(json.dumps({"fns": sorted(fns), "planned": spec.size, "records": len(records), "ok": sum(ok), **where}))
"""


def test_dofns_unpickle_and_run_in_a_fresh_process_like_a_worker(proto, tmp_path):
    (tmp_path / "pipeline.pb").write_bytes(proto.SerializeToString())
    run = subprocess.run([sys.executable, "-c", WORKER, str(tmp_path / "pipeline.pb")], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert {"GenerateShardFn", "WriteGroupFn"} <= set(seen["fns"])
    assert seen["records"] > 0 and seen["ok"] == seen["records"] <= seen["planned"]
    # everything the workers write is under the gs:// output, nothing on the submitting machine's disk
    assert seen["root"] == f"{OUT}/.staging"
    assert seen["progress"] == f"{OUT}/.staging/.progress" and seen["cache"] == f"{OUT}/.cache/shards"


def test_launcher_refuses_an_output_workers_cannot_reach(capsys):
    assert main(["--config", str(ROOT / "configs/tiny.yaml"), "--out", "out/tiny"]) == 2
    assert "gs://" in capsys.readouterr().err


def test_the_worker_wheel_holds_every_package_and_data_file(tmp_path):
    """Workers install our wheel: the package-dir mapping must put every folder under `reasonry.`."""
    pytest.importorskip("setuptools", reason="the wheel is built without isolation, from this venv's setuptools")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    setuptools_cfg = pyproject["tool"]["setuptools"]
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in set(setuptools_cfg["package-dir"].values()):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                          "-w", str(tmp_path / "dist"), str(src)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("reasonry-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in setuptools_cfg["packages"]:
        assert package.replace(".", "/") + "/__init__.py" in names, package
    for package, patterns in setuptools_cfg.get("package-data", {}).items():
        folder = setuptools_cfg["package-dir"].get(package) or \
            setuptools_cfg["package-dir"][package.rsplit(".", 1)[0]] + "/" + package.rsplit(".", 1)[1]
        for pattern in patterns:
            for path in (ROOT / folder).glob(pattern):
                assert f"{package.replace('.', '/')}/{path.relative_to(ROOT / folder).as_posix()}" in names
    for module in ("reasonry/pipelines/transforms.py", "reasonry/pipelines/dataflow.py",
                   "reasonry/generators/turing/addition.py"):
        assert module in names
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "reasonry = reasonry.pipelines.cli:main" in entry_points


def test_container_and_template_files_match_this_environment():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    python = f"python{sys.version_info.major}.{sys.version_info.minor}"
    apt = re.search(r"^APT_PACKAGES := (.+)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
    for name in ("Dockerfile.cpu", "Dockerfile.gpu"):
        text = (ROOT / "dataflow" / name).read_text()
        assert f"ARG BEAM_VERSION={beam.__version__}" in text
        assert f"FROM apache/beam_{python}_sdk:" in text
        assert all(pkg in text for pkg in apt)
        assert "dist/reasonry-*.whl" in text and "-c /tmp/reasonry/constraints.txt" in text
        (extras,) = re.findall(r"reasonry-\*\.whl\)\[([a-z,]+)\]", text)
        assert set(extras.split(",")) <= set(pyproject["project"]["optional-dependencies"]), name
    gpu = (ROOT / "dataflow/Dockerfile.gpu").read_text()
    assert "python -m venv /opt/vllm" in gpu and "/opt/vllm/bin/pip install" in gpu
    launcher = (ROOT / "dataflow/Dockerfile.launcher").read_text()
    assert f"{python.replace('.', '')}-template-launcher-base" in launcher
    py_file = re.search(r"FLEX_TEMPLATE_PYTHON_PY_FILE=/template/(\S+)", launcher).group(1)
    assert (ROOT / "dataflow" / py_file).is_file()
    spec = json.loads((ROOT / "dataflow/flex_template.json").read_text())
    params = {p["name"]: p for p in spec["parameters"]}
    assert set(params) == {"config", "out", "set"} and not params["config"]["isOptional"]
    assert re.fullmatch(params["out"]["regexes"][0], OUT) and not re.fullmatch(params["out"]["regexes"][0], "out/x")
    assert re.fullmatch(params["config"]["regexes"][0], "configs/nightly.yaml")
