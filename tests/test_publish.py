"""``reasonry publish``: a real build uploaded to a stand-in for the Hugging Face Hub, then loaded back.

The real Hub is unreachable offline, so these tests talk to ``tests/hub_server.HubStandIn``: a real HTTP server
on 127.0.0.1 that answers the exact requests huggingface_hub 2.4 sends (repo create, refs, branch, tree,
YAML validation, preupload, NDJSON commit, tag) and keeps the repository's commits, branches and tags. Everything
on the client side is real: huggingface_hub's HfApi, our retries, the CLI, the build, ``datasets``.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from reasonry.config import load_config
from reasonry.data_cards.render import hub_path
from reasonry.errors import ConfigError
from reasonry.pipelines.publish import PublishError, default_tag, load_manifest, plan_upload, publish
from tests.hub_server import HubStandIn

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "hf_standInToken_7c1d2e9f0a"
REPO = "reasonry-test/tiny"


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    """configs/tiny.yaml, plus the failing plugin task so that the build also has rejects to publish."""
    from reasonry.pipelines.build import run_build

    data = yaml.safe_load((ROOT / "configs/tiny.yaml").read_text())
    data["build"].update(plugins=["tests.plugins.flaky"], max_failure_rate=1.0)
    data["tasks"]["tail/flaky"] = {"train": {"all": 8}}
    out = tmp_path_factory.mktemp("publish") / "tiny"
    run_build(load_config(data=data), out)
    assert (out / "rejects").is_dir()
    return out


@pytest.fixture
def hub(monkeypatch):
    from huggingface_hub import constants

    # conftest turns the Hub client offline for every test; publishing needs it online (to 127.0.0.1 only).
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with HubStandIn(TOKEN) as server:
        yield server


def _publish(build: Path, hub: HubStandIn, **kw):
    return publish(build, REPO, endpoint=hub.endpoint, token=TOKEN, backoff=0.01, log=lambda _m: None, **kw)


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _manifest_files(build: Path) -> dict[str, int]:
    return {rel: n for fams in load_manifest(build)["files"].values() for files in fams.values()
            for rel, n in files.items()}


def _cli_env(hub: HubStandIn, home: Path, token: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    env.update(HF_ENDPOINT=hub.endpoint, HF_HOME=str(home), HF_HUB_OFFLINE="0", PYTHONPATH=str(ROOT))
    if token:
        env["HF_TOKEN"] = token
    return env


def _cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reasonry.pipelines.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


# ---------------------------------------------------------------------------------------------------------------


def test_dry_run_lists_every_file_and_touches_nothing(build, hub, capsys):
    from reasonry.pipelines.cli import main

    before = _snapshot(build)
    assert main(["publish", str(build), "--repo", REPO, "--dry-run"]) == 0
    out = capsys.readouterr().out
    expected = {hub_path(rel) for rel in _manifest_files(build)} | {"README.md", "manifest.json"}
    expected |= {p.relative_to(build).as_posix() for p in (build / "assets").rglob("*") if p.is_file()}
    assert any(p.startswith("data/rejects-tail/rejected-") for p in expected)
    listed = {line.split()[-1] for line in out.splitlines()[1:]}
    assert listed == expected
    for rel in _manifest_files(build):
        assert f"{(build / rel).stat().st_size:,}  {hub_path(rel)}" in out
    assert hub.requests == [] and hub.repos == {}
    assert _snapshot(build) == before


def test_publish_uploads_one_commit_that_loads_with_datasets(build, hub, tmp_path):
    import datasets

    result = _publish(build, hub)
    assert hub.unhandled == []
    repo = hub.repos[REPO]
    assert hub.commit_count(REPO) == 2  # the repository's initial commit, then the whole build as one
    assert repo["branches"]["main"] == result.commit
    tag = default_tag(load_manifest(build))
    assert tag.startswith("build-") and repo["tags"] == {tag: result.commit}

    files = hub.files(REPO)
    for rel in _manifest_files(build):
        assert files[hub_path(rel)] == (build / rel).read_bytes()
    assert files["manifest.json"] == (build / "manifest.json").read_bytes()

    folder = hub.materialise(REPO, tmp_path / "clone")
    card = (folder / "README.md").read_text()
    front = yaml.safe_load(card.split("---\n")[1])
    parquet = {p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet")}
    matched: list[str] = []
    combined: dict[str, list[str]] = {}
    rows_on_hub = {hub_path(rel): n for rel, n in _manifest_files(build).items()}
    infos = {i["config_name"]: {s["name"]: s["num_examples"] for s in i["splits"]} for i in front["dataset_info"]}
    for cfg in front["configs"]:
        name = cfg["config_name"]
        ds = datasets.load_dataset(str(folder), name, cache_dir=str(tmp_path / "cache"))
        assert set(ds) == {entry["split"] for entry in cfg["data_files"]}
        for entry in cfg["data_files"]:
            hits = fnmatch.filter(parquet, entry["path"])
            assert hits, f"{name}/{entry['split']} matches no file"
            if "-" in name:
                matched += hits
            else:  # sft and rl across families: the same files again, every family's
                combined.setdefault(name, []).extend(hits)
            expected_rows = sum(rows_on_hub[h] for h in hits)
            assert ds[entry["split"]].num_rows == expected_rows == infos[name][entry["split"]]
    # every Parquet file on the Hub belongs to exactly one per-family (config, split), and nothing else is
    # declared; the combined configs hold exactly their export's files
    assert sorted(matched) == sorted(parquet)
    assert set(combined) == {"sft", "rl"}
    for name, hits in combined.items():
        assert sorted(hits) == sorted(p for p in parquet if p.startswith(f"data/{name}-"))
    assert {c["config_name"] for c in front["configs"]} >= {"sft-tail", "rl-tail", "records-tail", "rejects-tail"}

    rl = datasets.load_dataset(str(folder), "rl-tail", cache_dir=str(tmp_path / "cache"))["test"]
    local = pq.read_table(sorted((build / "rl/tail").glob("test-*.parquet"))[0]).to_pylist()
    assert local[0] in rl.to_list()


def test_republish_replaces_stale_shards_in_the_same_commit(build, hub, tmp_path):
    from huggingface_hub import CommitOperationAdd, HfApi

    api = HfApi(endpoint=hub.endpoint, token=TOKEN)
    api.create_repo(REPO, repo_type="dataset")
    # the card's own files (plots) live in a folder of their own, which the build owns like data/
    assets = sorted({u.path_in_repo.split("/", 1)[0] for u in plan_upload(build) if "/" in u.path_in_repo} - {"data"})
    stale = ["data/sft-tail/train-00000-of-00009.parquet", *(f"{a}/gone.png" for a in assets)]
    old = [CommitOperationAdd(p, b"an older build's file") for p in stale]
    old.append(CommitOperationAdd("NOTES.md", b"kept: not part of any build"))
    api.create_commit(REPO, operations=old, commit_message="an older build", repo_type="dataset")
    commits = hub.commit_count(REPO)

    result = _publish(build, hub)
    assert hub.commit_count(REPO) == commits + 1
    assert result.deleted == sorted(stale)
    files = hub.files(REPO)
    assert not set(stale) & set(files) and files["NOTES.md"].startswith(b"kept")
    assert set(files) == {u.path_in_repo for u in plan_upload(build)} | {".gitattributes", "NOTES.md"}
    import datasets

    ds = datasets.load_dataset(str(hub.materialise(REPO, tmp_path / "clone")), "sft-tail",
                               cache_dir=str(tmp_path / "cache"))
    assert ds["train"].num_rows == sum(n for rel, n in _manifest_files(build).items()
                                       if rel.startswith("sft/tail/train-"))


def test_revision_goes_to_a_new_branch_and_tags_are_never_moved(build, hub):
    result = _publish(build, hub, revision="nightly/latest", tag="build-test-1", private=True)
    repo = hub.repos[REPO]
    assert repo["private"] is True
    assert repo["branches"]["nightly/latest"] == result.commit == repo["tags"]["build-test-1"]
    assert set(hub.files(REPO, "main")) == {".gitattributes"}  # main untouched
    commits = hub.commit_count(REPO)

    with pytest.raises(PublishError, match="tag build-test-1 already exists"):
        _publish(build, hub, revision="nightly/latest", tag="build-test-1")
    assert hub.commit_count(REPO) == commits and repo["tags"]["build-test-1"] == result.commit

    with pytest.raises(ConfigError, match="--tag"):
        _publish(build, hub, tag="bad..tag")
    with pytest.raises(ConfigError, match="--revision"):
        _publish(build, hub, revision="has space")


@pytest.mark.parametrize("name", ["org/bad--name", "org/name.git", "org/sub/name", "no-namespace", "org/-dash",
                                  "org/" + "x" * 100, "org/spa ce"])
def test_a_name_the_hub_would_reject_fails_before_any_request(build, hub, name):
    before = _snapshot(build)
    with pytest.raises(ConfigError, match="--repo"):
        publish(build, name, endpoint=hub.endpoint, token=TOKEN, log=lambda _m: None)
    assert hub.requests == []
    assert _snapshot(build) == before


def test_missing_token_is_a_clear_error_and_the_login_cache_is_used(build, hub, tmp_path):
    home = tmp_path / "hf-home"
    home.mkdir()
    run = _cli(["publish", str(build), "--repo", REPO], _cli_env(hub, home, token=None))
    assert run.returncode == 1
    assert "no Hugging Face token" in run.stderr and "HF_TOKEN" in run.stderr
    assert hub.requests == []

    (home / "token").write_text(TOKEN)  # where `hf auth login` caches it
    run = _cli(["publish", str(build), "--repo", REPO, "--tag", "from-login-cache"],
               _cli_env(hub, home, token=None))
    assert run.returncode == 0, run.stderr
    assert "from-login-cache" in hub.repos[REPO]["tags"]
    assert TOKEN not in run.stdout + run.stderr


def test_interrupted_upload_is_retried(build, hub):
    messages: list[str] = []
    hub.faults["commit"] = ["drop", 503]
    result = publish(build, REPO, endpoint=hub.endpoint, token=TOKEN, backoff=0.01, log=messages.append)
    assert hub.commit_count(REPO) == 2 and hub.repos[REPO]["branches"]["main"] == result.commit
    retries = [m for m in messages if "retrying" in m]
    assert len(retries) == 2 and "upload commit" in retries[0]
    assert sum(1 for method, path in hub.requests if path.endswith("/commit/main")) == 3


def test_a_commit_whose_reply_was_lost_is_recognised_and_not_repeated(build, hub):
    messages: list[str] = []
    hub.faults["commit"] = ["lost-reply"]  # the commit lands, then the connection drops before the answer
    result = publish(build, REPO, endpoint=hub.endpoint, token=TOKEN, backoff=0.01, log=messages.append)
    repo = hub.repos[REPO]
    assert hub.commit_count(REPO) == 2  # the initial commit and the build, once
    assert repo["branches"]["main"] == result.commit and list(repo["tags"].values()) == [result.commit]
    assert any("landed" in m for m in messages)


def test_a_branch_that_moves_during_the_upload_is_not_overwritten(build, hub):
    from huggingface_hub import CommitOperationAdd, HfApi

    api = HfApi(endpoint=hub.endpoint, token=TOKEN)

    def someone_else_commits():
        api.create_commit(REPO, operations=[CommitOperationAdd("data/sft-tail/theirs.parquet", b"not ours")],
                          commit_message="a concurrent publish", repo_type="dataset")

    hub.hooks["commit"] = [someone_else_commits]
    with pytest.raises(PublishError, match="moved past"):
        _publish(build, hub)
    files = hub.files(REPO)
    assert "data/sft-tail/theirs.parquet" in files and "manifest.json" not in files
    assert hub.repos[REPO]["tags"] == {}
    _publish(build, hub)  # run again: now the other file is an earlier build's leftover and goes
    assert "data/sft-tail/theirs.parquet" not in hub.files(REPO)


def test_persistent_failure_is_a_clear_error_without_the_token_and_leaves_the_build_intact(build, hub, capsys):
    before = _snapshot(build)
    hub.faults["commit"] = ["drop"] + [500] * 10  # the 500s echo the Authorization header back
    with pytest.raises(PublishError) as info:
        publish(build, REPO, endpoint=hub.endpoint, token=TOKEN, retries=3, backoff=0.01)
    text = str(info.value)
    assert text.startswith("upload commit failed after 4 attempts: HTTP 500")
    assert "Bearer ***" in text  # the server's message is kept, with the token scrubbed
    printed = capsys.readouterr()
    for where in (text, "".join(traceback.format_exception(info.value)), printed.out, printed.err):
        assert TOKEN not in where
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert hub.commit_count(REPO) == 1 and hub.repos[REPO]["tags"] == {}
    assert _snapshot(build) == before


def test_cli_failure_output_never_shows_the_token(build, hub, tmp_path):
    before = _snapshot(build)
    hub.faults["commit"] = [403]  # not transient: fails at once, and the message echoes the header
    run = _cli(["publish", str(build), "--repo", REPO], _cli_env(hub, tmp_path, token=TOKEN))
    assert run.returncode == 1
    assert "upload commit failed: HTTP 403" in run.stderr and "Bearer ***" in run.stderr
    assert TOKEN not in run.stdout + run.stderr
    assert _snapshot(build) == before


def test_a_folder_that_disagrees_with_its_manifest_is_refused(build, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(build, copy)
    assert [u.path_in_repo for u in plan_upload(copy)] == [u.path_in_repo for u in plan_upload(build)]
    extra = copy / "sft/tail/train-00007-of-00009.parquet"
    shutil.copy(copy / "sft/tail/train-00000-of-00002.parquet", extra)
    with pytest.raises(PublishError, match="not listed in manifest.json"):
        plan_upload(copy)
    extra.unlink()
    (copy / "rl/tail/test-00001-of-00002.parquet").unlink()
    with pytest.raises(PublishError, match="missing"):
        plan_upload(copy)
    with pytest.raises(PublishError, match="no manifest.json"):
        plan_upload(tmp_path)


def test_private_makes_an_existing_public_repository_private_before_uploading(build, hub):
    _publish(build, hub, tag="build-public")
    repo = hub.repos[REPO]
    assert repo["private"] is False
    _publish(build, hub, private=True, tag="build-private")
    assert repo["private"] is True
    settings = [i for i, r in enumerate(hub.requests) if r[0] == "PUT" and r[1].endswith("/settings")]
    commits = [i for i, r in enumerate(hub.requests) if r[0] == "POST" and "/commit/" in r[1]]
    assert settings and commits and settings[-1] < commits[-1], "visibility changes before the upload"


ECHOES = {
    # how a server's error body may echo the header "Bearer <token>"
    "exact": lambda auth: auth,
    "lower-cased": lambda auth: auth.lower(),
    "cut to a prefix": lambda auth: auth[: len("Bearer ") + 10] + "...",
    "base64": lambda auth: base64.b64encode(auth.encode()).decode(),
}


@pytest.mark.parametrize("echo", list(ECHOES))
def test_no_echo_of_the_token_survives_in_errors_or_log_lines(build, hub, echo):
    """The Hub stand-in's error body echoes the Authorization header, lower-cased, cut short or base64-encoded:
    no 8-character piece of the token, in any case, and no piece of its base64 forms reaches the message or the
    log; the rest of the server's words do."""
    hub.echo = ECHOES[echo]
    hub.faults["commit"] = [500, 403]  # one retried failure (a log line), then one that ends the publish
    messages: list[str] = []
    with pytest.raises(PublishError) as info:
        publish(build, REPO, endpoint=hub.endpoint, token=TOKEN, retries=2, backoff=0.01, log=messages.append)
    shown = "\n".join([str(info.value), *messages])
    assert "upload commit failed after 2 attempts: HTTP 403" in shown and "unavailable (request had" in shown
    assert any("retrying" in m for m in messages)
    lowered = shown.lower()
    for i in range(len(TOKEN) - 7):
        assert TOKEN[i:i + 8].lower() not in lowered
    encoded = base64.b64encode(f"Bearer {TOKEN}".encode()).decode()
    token_part = encoded[-(-len("Bearer ") * 4 // 3):(len("Bearer ") + len(TOKEN)) * 4 // 3]  # the token's bytes
    for i in range(len(token_part) - 7):
        assert token_part[i:i + 8] not in shown
    assert "***" in shown


def test_the_scrubber_takes_pieces_and_encodings_of_the_token_and_nothing_else():
    from reasonry.pipelines.publish import _redact

    token = "hf_AbCdEfGhIjKlMnOpQrStUv"
    assert _redact(f"token={token}", token) == "token=***"
    assert _redact(f"Bearer {token.upper()[:9]}.", token) == "Bearer ***."
    assert _redact("short hf_AbCd and other words", token) == "short hf_AbCd and other words"  # 7 characters
    for prefix in ("", "u:", "ab:", "user:"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode((prefix + token).encode()).decode()
            assert token not in _redact(encoded, token)
            scrubbed = _redact(encoded, token)
            assert "***" in scrubbed and len(scrubbed) < 12, (prefix, scrubbed)
