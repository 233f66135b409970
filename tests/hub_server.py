"""A stand-in for the Hugging Face Hub's HTTP API, served by a real ``http.server`` on 127.0.0.1 (tests only).

It exists because the real Hub cannot be reached offline. It answers the requests huggingface_hub 2.4 sends for
``create_repo``, ``list_repo_refs``, ``create_branch``, ``list_repo_tree``, ``create_commit`` (YAML validation,
preupload, NDJSON commit) and ``create_tag``, and keeps each repository as real git-like state: commits with
their file contents, branches and tags. Preupload answers "regular" for every file, so contents arrive inline in
the commit's NDJSON. ``faults`` injects failures per endpoint, in order: an HTTP status (its error message
echoes the request's Authorization header, to prove the client scrubs it), ``"drop"`` (the connection closes
without an answer, like an interrupted upload) or ``"lost-reply"`` (the request is carried out, then the
connection closes without an answer). A commit whose ``parentCommit`` is not the branch head gets 412, as on
the Hub; the tree lists git blob ids.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

_REPO_ROUTE = re.compile(r"^/api/datasets/([^/]+)/([^/]+)/(refs|branch|tree|preupload|commit|tag|settings)(?:/(.*))?$")


class _Drop(Exception):
    pass


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class HubStandIn:
    def __init__(self, token: str):
        self.token = token
        self.repos: dict[str, dict] = {}
        self.faults: dict[str, list] = {}
        # how a fault's message echoes the Authorization header (a server may lower-case, cut or encode it)
        self.echo = lambda auth: auth
        self.hooks: dict[str, list] = {}  # endpoint -> callables run (once each) before the next such request
        self.requests: list[tuple[str, str]] = []
        self.unhandled: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- repository state ------------------------------------------------------------------------------------

    def _new_commit(self, repo: dict, parent: str | None, files: dict[str, bytes], message: str) -> str:
        digest = hashlib.sha1((parent or "").encode() + message.encode())
        for path in sorted(files):
            digest.update(path.encode() + b"\0" + hashlib.sha1(files[path]).digest())
        oid = digest.hexdigest()
        repo["commits"][oid] = {"parent": parent, "files": files, "message": message}
        return oid

    def _resolve(self, repo: dict, revision: str) -> str | None:
        if revision in repo["branches"]:
            return repo["branches"][revision]
        if revision in repo["tags"]:
            return repo["tags"][revision]
        return revision if revision in repo["commits"] else None

    def files(self, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        repo = self.repos[repo_id]
        return dict(repo["commits"][self._resolve(repo, revision)]["files"])

    def materialise(self, repo_id: str, dest: Path, revision: str = "main") -> Path:
        """Write the repository's files at ``revision`` into ``dest``, as a clone would."""
        for path, content in self.files(repo_id, revision).items():
            target = Path(dest) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return Path(dest)

    def commit_count(self, repo_id: str) -> int:
        return len(self.repos[repo_id]["commits"])

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _reply(self, status: int, body, headers: dict | None = None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _dispatch(self, method: str):
                url = urlsplit(self.path)
                body = self._body() if method in ("POST", "PUT") else b""
                with hub.lock:
                    hub.requests.append((method, url.path))
                if self.headers.get("Authorization") != f"Bearer {hub.token}":
                    return self._reply(401, {"error": "Invalid credentials in Authorization header"})
                try:
                    status, answer, headers = hub._route(method, url.path, parse_qs(url.query), body,
                                                         self.headers.get("Authorization", ""))
                except _Drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                self._reply(status, answer, headers)

            def do_GET(self):  # noqa: N802 - http.server's naming
                self._dispatch("GET")

            def do_POST(self):  # noqa: N802
                self._dispatch("POST")

            def do_PUT(self):  # noqa: N802
                self._dispatch("PUT")

        return Handler

    def _fault(self, kind: str, auth: str):
        with self.lock:
            pending = self.faults.get(kind)
            fault = pending.pop(0) if pending else None
        if fault == "lost-reply":
            return "lost-reply"
        if fault == "drop":
            raise _Drop
        if isinstance(fault, int):
            return fault, {"error": f"{kind} unavailable (request had {self.echo(auth)})"}, {}
        return None

    def _route(self, method: str, path: str, query: dict, body: bytes, auth: str):
        if method == "POST" and path == "/api/repos/create":
            return self._fault("create", auth) or self._create(json.loads(body))
        if method == "POST" and path == "/api/validate-yaml":
            return self._fault("validate", auth) or self._validate_yaml(json.loads(body))
        match = _REPO_ROUTE.match(path)
        if not match:
            self.unhandled.append((method, path))
            return 404, {"error": f"no route {method} {path}"}, {}
        repo_id = f"{unquote(match[1])}/{unquote(match[2])}"
        action, raw = match[3], match[4] or ""
        # Revisions arrive quoted (a branch may hold "/"); the tree route may append a quoted folder path.
        rest = unquote(raw.split("/", 1)[0] if action == "tree" else raw)
        with self.lock:
            repo = self.repos.get(repo_id)
        if repo is None:
            return 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"}
        with self.lock:
            pending = self.hooks.get(action)
            hook = pending.pop(0) if pending else None
        if hook:
            hook()
        fault = self._fault(action, auth)
        if fault and fault != "lost-reply":
            return fault
        with self.lock:
            answer = self._act(method, action, repo_id, repo, rest, body)
        if fault == "lost-reply":
            raise _Drop
        if answer is None:
            self.unhandled.append((method, path))
            return 404, {"error": f"no route {method} {path}"}, {}
        return answer

    def _act(self, method: str, action: str, repo_id: str, repo: dict, rest: str, body: bytes):
        if (method, action) == ("GET", "refs"):
            return 200, self._refs(repo), {}
        if (method, action) == ("POST", "branch"):
            return self._branch(repo, rest, json.loads(body or b"{}"))
        if (method, action) == ("GET", "tree"):
            return self._tree(repo, rest)
        if (method, action) == ("POST", "preupload"):
            return self._preupload(repo, rest, json.loads(body))
        if (method, action) == ("POST", "commit"):
            return self._commit(repo_id, repo, rest, body)
        if (method, action) == ("POST", "tag"):
            return self._tag(repo, rest, json.loads(body))
        if (method, action) == ("PUT", "settings"):
            visibility = json.loads(body).get("visibility")
            if visibility not in ("private", "public", None):
                return 400, {"error": f"invalid visibility {visibility!r}"}, {}
            if visibility:
                repo["private"] = visibility == "private"
            return 200, {}, {}
        return None

    def _create(self, payload: dict):
        repo_id = f"{payload['organization']}/{payload['name']}"
        if payload.get("type") != "dataset":
            return 400, {"error": "this stand-in only hosts datasets"}, {}
        with self.lock:
            if repo_id in self.repos:
                # huggingface_hub reads the URL from the 409 body when the repository exists already.
                return 409, {"error": "You already created this dataset repo",
                             "url": f"{self.endpoint}/datasets/{repo_id}"}, {}
            repo = {"private": payload.get("visibility") == "private", "commits": {}, "branches": {}, "tags": {}}
            first = self._new_commit(repo, None, {".gitattributes": b"*.parquet filter=lfs diff=lfs merge=lfs -text\n"},
                                     "initial commit")
            repo["branches"]["main"] = first
            self.repos[repo_id] = repo
        return 200, {"url": f"{self.endpoint}/datasets/{repo_id}", "name": repo_id}, {}

    def _validate_yaml(self, payload: dict):
        content = payload.get("content", "")
        if content.startswith("---\n"):
            try:
                yaml.safe_load(content[4:content.index("\n---", 4)])
            except (ValueError, yaml.YAMLError) as exc:
                return 400, {"errors": [{"message": f"invalid YAML: {exc}"}], "warnings": []}, {}
        return 200, {"errors": [], "warnings": []}, {}

    @staticmethod
    def _refs(repo: dict) -> dict:
        def refs(kind, items):
            return [{"name": n, "ref": f"refs/{kind}/{n}", "targetCommit": oid} for n, oid in sorted(items.items())]

        return {"branches": refs("heads", repo["branches"]), "tags": refs("tags", repo["tags"]), "converts": []}

    def _branch(self, repo: dict, name: str, payload: dict):
        if name in repo["branches"]:
            return 409, {"error": f"Reference refs/heads/{name} already exists"}, {}
        start = self._resolve(repo, payload.get("startingPoint") or "main")
        if start is None:
            return 404, {"error": "Invalid rev id"}, {"X-Error-Code": "RevisionNotFound"}
        repo["branches"][name] = start
        return 200, {}, {}

    def _tree(self, repo: dict, revision: str):
        oid = self._resolve(repo, revision)
        if oid is None:
            return 404, {"error": "Invalid rev id"}, {"X-Error-Code": "RevisionNotFound"}
        files = repo["commits"][oid]["files"]
        return 200, [{"type": "file", "oid": git_blob_id(files[p]), "size": len(files[p]), "path": p}
                     for p in sorted(files)], {}

    def _preupload(self, repo: dict, revision: str, payload: dict):
        if self._resolve(repo, revision) is None:
            return 404, {"error": "Invalid rev id"}, {"X-Error-Code": "RevisionNotFound"}
        return 200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                               for f in payload["files"]]}, {}

    def _commit(self, repo_id: str, repo: dict, branch: str, body: bytes):
        if branch not in repo["branches"]:
            return 404, {"error": "Invalid rev id"}, {"X-Error-Code": "RevisionNotFound"}
        parent = repo["branches"][branch]
        files = dict(repo["commits"][parent]["files"])
        message = ""
        for line in body.splitlines():
            item = json.loads(line)
            key, value = item["key"], item["value"]
            if key == "header":
                message = value["summary"]
                if value.get("parentCommit") not in (None, parent):
                    return 412, {"error": "A commit has happened since. Please refresh and try again."}, {}
            elif key == "file":
                files[value["path"]] = base64.b64decode(value["content"])
            elif key == "deletedFile":
                if value["path"] not in files:
                    return 404, {"error": "A file with this name doesn't exist"}, {"X-Error-Code": "EntryNotFound"}
                del files[value["path"]]
            elif key == "deletedFolder":
                prefix = value["path"].rstrip("/") + "/"
                files = {p: c for p, c in files.items() if not p.startswith(prefix)}
            else:
                return 400, {"error": f"the stand-in does not take {key!r} entries"}, {}
        oid = self._new_commit(repo, parent, files, message)
        repo["branches"][branch] = oid
        return 200, {"commitUrl": f"{self.endpoint}/datasets/{repo_id}/commit/{oid}", "commitOid": oid,
                     "pullRequestUrl": None}, {}

    def _tag(self, repo: dict, revision: str, payload: dict):
        oid = self._resolve(repo, revision)
        if oid is None:
            return 404, {"error": "Invalid rev id"}, {"X-Error-Code": "RevisionNotFound"}
        if payload["tag"] in repo["tags"]:
            return 409, {"error": f"Tag {payload['tag']} already exists"}, {}
        repo["tags"][payload["tag"]] = oid
        return 200, {}, {}
