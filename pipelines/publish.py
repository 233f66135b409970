"""Publish a finished build to the Hugging Face Hub: one commit, tagged so users can pin the revision.

The Hub repository holds the build in the Hub layout (``data/<export>-<family>/<split>-XXXXX-of-YYYYY.parquet``,
rejects as split ``rejected``), the Hub card rendered from the manifest, ``manifest.json`` and the card's
assets. Files of an earlier build in those folders that this build no longer has are deleted in the same
commit, so the card's ``data_files`` patterns never pick up stale shards.

Only huggingface_hub is needed here (no Beam). The build folder is only ever read: a failed or interrupted
publish leaves it byte-identical. The token is never printed, and every error message is scrubbed of it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reasonry.errors import ConfigError, ReasonryError

REPO_TYPE = "dataset"
DATA_PREFIX = "data/"
# Local build folders that hold Parquet outputs; anything else that is not hidden is uploaded as it is.
DATA_DIRS = ("records", "sft", "rl", "preference", "preference_steps", "stepwise", "rejects")
TRANSIENT_STATUS = (408, 429, 500, 502, 503, 504)
_REF_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")


class PublishError(ReasonryError):
    """Publishing failed; the message says which step and why (never the token)."""


@dataclass(frozen=True)
class Upload:
    """One file of the Hub commit: from a file of the build, or generated content (the Hub card)."""

    path_in_repo: str
    size: int
    source: Path | None = None
    content: bytes | None = None

    def operation(self):
        from huggingface_hub import CommitOperationAdd

        # A fresh operation per attempt: huggingface_hub marks operations as committed and refuses reuse.
        return CommitOperationAdd(path_in_repo=self.path_in_repo,
                                  path_or_fileobj=str(self.source) if self.source else self.content)


@dataclass
class PublishResult:
    repo_id: str
    revision: str
    tag: str | None
    files: list[Upload]
    dry_run: bool
    commit: str | None = None
    commit_url: str | None = None
    deleted: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Checks that need no network


def check_repo_id(repo: str) -> str:
    """``ORG/NAME`` as the Hub accepts it, or a ``ConfigError`` before anything is sent."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    if not isinstance(repo, str) or repo.count("/") != 1 or not all(repo.split("/")):
        raise ConfigError(f"expected ORG/NAME, got {repo!r}", path="--repo")
    try:
        validate_repo_id(repo)
    except HFValidationError as exc:
        raise ConfigError(f"the Hub would reject this repository name: {exc}", path="--repo") from None
    return repo


def check_ref_name(name: str, option: str) -> str:
    """A branch or tag name git (and so the Hub) accepts."""
    bad = (not _REF_NAME.fullmatch(name) or ".." in name or "//" in name or name.endswith(("/", ".", ".lock"))
           or "/." in name)
    if bad:
        raise ConfigError(f"{name!r} is not a valid git ref name (letters, digits, '.', '_', '-', '/'; no '..')",
                          path=option)
    return name


def load_manifest(out: Path) -> dict:
    path = out / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishError(f"{out} is not a build folder: it has no manifest.json (run `reasonry build` first)") \
            from None
    except (OSError, ValueError) as exc:
        raise PublishError(f"cannot read {path}: {exc}") from None


def default_tag(manifest: dict) -> str:
    """``build-YYYYMMDD`` from the day the build finished (UTC)."""
    finished = (manifest.get("run") or {}).get("finished_at") or ""
    day = finished[:10].replace("-", "")
    if not re.fullmatch(r"\d{8}", day):
        day = time.strftime("%Y%m%d", time.gmtime())
    return f"build-{day}"


def plan_upload(out: str | Path, manifest: dict | None = None, repo_id: str | None = None) -> list[Upload]:
    """Every file of the Hub commit, sorted by Hub path, the card naming ``repo_id``. Fails if the folder and
    its manifest disagree."""
    from reasonry.data_cards.render import hub_path, render_card

    out = Path(out)
    manifest = manifest if manifest is not None else load_manifest(out)
    uploads: list[Upload] = []
    listed: set[str] = set()
    for families in manifest.get("files", {}).values():
        for files in families.values():
            for rel in files:
                source = out / rel
                if not source.is_file():
                    raise PublishError(f"{rel} is listed in manifest.json but missing from {out}; rebuild")
                listed.add(Path(rel).as_posix())
                uploads.append(Upload(hub_path(rel), source.stat().st_size, source=source))
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out)
        if any(part.startswith(".") for part in rel.parts):
            continue  # the shard cache, staging area and editor files are not part of the build
        if rel.parts[0] in DATA_DIRS:
            if path.suffix == ".parquet" and rel.as_posix() not in listed:
                raise PublishError(f"{rel.as_posix()} is not listed in manifest.json: the folder holds files of "
                                   f"another build; rebuild into a clean folder")
            continue
        if rel.as_posix() in ("README.md", "manifest.json"):
            continue
        uploads.append(Upload(rel.as_posix(), path.stat().st_size, source=path))
    card = render_card(manifest, layout="hub", repo_id=repo_id).encode("utf-8")
    uploads.append(Upload("README.md", len(card), content=card))
    uploads.append(Upload("manifest.json", (out / "manifest.json").stat().st_size, source=out / "manifest.json"))
    return sorted(uploads, key=lambda u: u.path_in_repo)


# ---------------------------------------------------------------------------------------------------------------
# Talking to the Hub


def resolve_token(token: str | None = None) -> str:
    from huggingface_hub import get_token

    token = token or get_token()
    if not token:
        raise PublishError("no Hugging Face token: set HF_TOKEN or log in with `hf auth login`")
    return token


SECRET_FRAGMENT = 8  # this many characters of a token, or more, are treated as the token


def _base64_forms(token: str) -> list[str]:
    """The base64 text that encodes the token wherever it sits in an encoded value (three alignments), in the
    standard and the URL-safe alphabet: only the characters that depend on the token's bytes alone."""
    import base64

    forms = []
    raw = token.encode()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw).decode().rstrip("=")
        start = -(-pad * 4 // 3)  # the first character free of the padding bytes
        stop = (pad + len(raw)) * 4 // 3  # the last character fully inside the token
        core = encoded[start:stop]
        forms += [core, core.replace("+", "-").replace("/", "_")]
    return forms


def _scrub_runs(text: str, secret: str, fold) -> str:
    """Replace every run of ``text`` that, under ``fold``, is a substring of ``secret`` of SECRET_FRAGMENT
    characters or more."""
    folded_secret = fold(secret)
    folded = fold(text)
    out, i = [], 0
    while i < len(text):
        n = SECRET_FRAGMENT
        if folded[i:i + n] in folded_secret and i + n <= len(text):
            while i + n < len(text) and folded[i:i + n + 1] in folded_secret:
                n += 1
            out.append("***")
            i += n
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _redact(text: str, token: str | None) -> str:
    """``text`` without the token: any case-insensitive piece of it of 8 or more characters (an echo may be
    lower-cased or cut short), and any piece of its base64 forms."""
    if not token or not text:
        return text
    text = _scrub_runs(text, token, str.lower)
    if len(token) >= SECRET_FRAGMENT:
        for form in _base64_forms(token):
            if len(form) >= SECRET_FRAGMENT:
                text = _scrub_runs(text, form, lambda t: t)
    return text


def _scrubbed(log: Callable[[str], None], token: str) -> Callable[[str], None]:
    return lambda message: log(_redact(message, token))


def is_transient(exc: BaseException) -> bool:
    """Worth another try: a 5xx/408/429 answer, a dropped or refused connection, a timeout."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    if isinstance(exc, HfHubHTTPError):
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        return status in TRANSIENT_STATUS
    return isinstance(exc, httpx2.TransportError | ConnectionError | TimeoutError)


def describe(exc: BaseException) -> str:
    """One line on what the Hub (or the connection) said."""
    from huggingface_hub.errors import HfHubHTTPError

    if isinstance(exc, HfHubHTTPError):
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        hints = {401: " (the token was refused)", 403: " (the token may not write to this namespace)"}
        hint = hints.get(status, "") if isinstance(status, int) else ""
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        server = (getattr(exc, "server_message", None) or "").strip()
        # the server's words, clipped: a reply body is never passed on whole (it may echo the request)
        server = " ".join(server.split())[:200]
        first = first[:300]
        return f"HTTP {status}{hint}: {first}" + (f" ({server})" if server and server not in first else "")
    return f"{type(exc).__name__}: {exc}"


class _Retrier:
    def __init__(self, token: str, retries: int, backoff: float, log: Callable[[str], None],
                 sleep: Callable[[float], None] = time.sleep):
        self.token = token
        self.retries = retries
        self.backoff = backoff
        self.log = log
        self.sleep = sleep

    def __call__(self, step: str, fn: Callable):
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except PublishError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure becomes a PublishError below
                reason = _redact(describe(exc), self.token)
                if is_transient(exc) and attempt < self.retries:
                    wait = self.backoff * 2 ** attempt
                    self.log(f"{step}: {reason}; retrying in {wait:.1f}s ({attempt + 1}/{self.retries})")
                    self.sleep(wait)
                    continue
                tries = f" after {attempt + 1} attempts" if attempt else ""
                # ``from None``: the library's exception (and its traceback) must not travel with ours.
                raise PublishError(f"{step} failed{tries}: {reason}") from None
        raise AssertionError("unreachable")


def managed_folders(uploads: list[Upload]) -> set[str]:
    """Folders a build owns on the Hub (``data/`` and e.g. ``assets/``): an earlier build's leftovers there go."""
    return {DATA_PREFIX} | {u.path_in_repo.split("/", 1)[0] + "/" for u in uploads if "/" in u.path_in_repo}


def _stale_files(api, repo_id: str, revision: str, keep: set[str], folders: set[str]) -> list[str]:
    from huggingface_hub.errors import EntryNotFoundError, RevisionNotFoundError

    try:
        entries = api.list_repo_tree(repo_id, recursive=True, revision=revision, repo_type=REPO_TYPE)
        paths = [e.path for e in entries if getattr(e, "size", None) is not None]
    except (EntryNotFoundError, RevisionNotFoundError):
        return []
    return sorted(p for p in paths if p.startswith(tuple(folders)) and p not in keep)


def _branch_head(refs, branch: str) -> str:
    for ref in refs.branches:
        if ref.name == branch:
            return ref.target_commit
    raise PublishError(f"branch {branch} is missing right after it was created")


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class _Landed:
    oid: str
    commit_url: str


def _landed_commit(api, repo_id: str, branch: str, parent: str, uploads: list[Upload],
                   stale: list[str]) -> _Landed | None:
    """The branch's new head if it holds exactly this upload (an earlier attempt landed), else None."""
    refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
    head = _branch_head(refs, branch)
    if head == parent:
        return None
    remote = {e.path: e for e in api.list_repo_tree(repo_id, recursive=True, revision=head, repo_type=REPO_TYPE)
              if getattr(e, "size", None) is not None}
    if any(p in remote for p in stale):
        return None
    for u in uploads:
        entry = remote.get(u.path_in_repo)
        if u.content is not None:
            data = u.content
        elif u.source is not None:
            data = u.source.read_bytes()
        else:
            raise ValueError(f"upload {u.path_in_repo} has neither content nor a source file")
        lfs = getattr(entry, "lfs", None)
        if entry is None or entry.size != len(data):
            return None
        if lfs is not None and getattr(lfs, "sha256", None) != hashlib.sha256(data).hexdigest():
            return None
        if lfs is None and entry.blob_id != _git_blob_id(data):
            return None
    prefix = "" if api.endpoint.endswith("/") else "/"
    return _Landed(head, f"{api.endpoint}{prefix}datasets/{repo_id}/commit/{head}")


def publish(out: str | Path, repo: str, *, private: bool = False, revision: str | None = None,
            tag: str | None = None, dry_run: bool = False, endpoint: str | None = None, token: str | None = None,
            retries: int = 4, backoff: float = 2.0, log: Callable[[str], None] = print) -> PublishResult:
    """Upload the build in ``out`` to the dataset repository ``repo`` as one commit, then tag that commit.

    ``revision`` is the branch to commit to (created from main if missing); ``tag`` defaults to
    ``build-YYYYMMDD`` of the manifest. Transient failures are retried ``retries`` times with exponential
    backoff starting at ``backoff`` seconds, then raise ``PublishError`` naming the step.
    """
    check_repo_id(repo)
    if revision is not None:
        check_ref_name(revision, "--revision")
    out = Path(out)
    manifest = load_manifest(out)
    tag = check_ref_name(tag, "--tag") if tag else default_tag(manifest)
    branch = revision or "main"
    uploads = plan_upload(out, manifest, repo)
    result = PublishResult(repo, branch, tag, uploads, dry_run)
    if dry_run:
        total = sum(u.size for u in uploads)
        log(f"dry run: would upload {len(uploads)} files ({total:,} bytes) to datasets/{repo} "
            f"branch {branch}, tag {tag}")
        for u in uploads:
            log(f"  {u.size:>12,}  {u.path_in_repo}")
        return result

    from huggingface_hub import constants

    if constants.is_offline_mode():
        raise PublishError("HF_HUB_OFFLINE is set: unset it to publish")
    token = resolve_token(token)
    log = _scrubbed(log, token)
    try:
        return _upload(repo, manifest, uploads, result, branch, tag, private, endpoint, token, retries, backoff, log)
    except PublishError as exc:
        raise PublishError(_redact(str(exc), token)) from None


def _upload(repo: str, manifest: dict, uploads: list, result: PublishResult, branch: str, tag: str,
            private: bool, endpoint: str | None, token: str, retries: int, backoff: float,
            log: Callable[[str], None]) -> PublishResult:
    from huggingface_hub import CommitOperationDelete, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=endpoint, token=token)
    retry = _Retrier(token, retries, backoff, log)

    retry("create repository", lambda: api.create_repo(repo, repo_type=REPO_TYPE, private=True if private else None,
                                                       exist_ok=True))
    if private:
        # create_repo leaves an existing repository as it is; --private must not publish into a public one
        retry("make repository private", lambda: api.update_repo_settings(repo, private=True, repo_type=REPO_TYPE))
    refs = retry("list branches and tags", lambda: api.list_repo_refs(repo, repo_type=REPO_TYPE))
    if tag in {t.name for t in refs.tags}:
        raise PublishError(f"tag {tag} already exists in datasets/{repo}; pass --tag with another name")
    if branch not in {b.name for b in refs.branches}:
        retry(f"create branch {branch}", lambda: api.create_branch(repo, branch=branch, repo_type=REPO_TYPE,
                                                                    exist_ok=True))
        refs = retry("list branches and tags", lambda: api.list_repo_refs(repo, repo_type=REPO_TYPE))
    head = _branch_head(refs, branch)
    keep = {u.path_in_repo for u in uploads}
    stale = retry("list existing files", lambda: _stale_files(api, repo, head, keep, managed_folders(uploads)))
    build = manifest["build"]
    message = f"reasonry build {build.get('build_id', build['name'])}"
    description = (f"seed {build.get('seed')}, config hash {build.get('config_hash')}, "
                   f"git commit {manifest.get('git_commit')}; {len(uploads)} files, {len(stale)} stale removed")
    attempts = []

    def commit():
        # Pinned to the head the stale list was read from: a commit that raced ours fails instead of being
        # overwritten, and a retry after a lost reply cannot land the same build twice.
        attempts.append(1)
        operations = [u.operation() for u in uploads] + [CommitOperationDelete(path_in_repo=p) for p in stale]
        try:
            return api.create_commit(repo, operations=operations, commit_message=message,
                                     commit_description=description, repo_type=REPO_TYPE, revision=branch,
                                     parent_commit=head)
        except HfHubHTTPError as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status in (409, 412):
                landed = _landed_commit(api, repo, branch, head, uploads, stale) if len(attempts) > 1 else None
                if landed:
                    log(f"the earlier attempt's commit {landed.oid} landed; its reply was lost")
                    return landed
                raise PublishError(f"upload commit failed: branch {branch} moved past {head[:12]} while "
                                   f"publishing (another publish?); run again") from None
            raise

    log(f"uploading {len(uploads)} files to datasets/{repo} branch {branch} as one commit")
    info = retry("upload commit", commit)
    result.commit, result.commit_url, result.deleted = info.oid, info.commit_url, stale
    try:
        retry(f"tag {tag}", lambda: api.create_tag(repo, tag=tag, revision=info.oid, repo_type=REPO_TYPE,
                                                   tag_message=message))
    except PublishError as exc:
        raise PublishError(f"{exc}; the build itself is uploaded as commit {info.oid}") from None
    log(f"published {info.commit_url} (tag {tag})")
    return result
