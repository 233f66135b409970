"""A stand-in OpenAI-compatible server on 127.0.0.1 that replays known replies.

Why a stand-in and not the real vLLM server: an eval's numbers can only be checked against answers we
control. A random tiny model answers nothing, so its pass@1 is 0 whatever the harness computes; this server
answers each prompt with replies chosen by the test (gold, corrupted, or a mix), so the expected pass@1,
pass@k and maj@k are known in advance. It speaks the same HTTP API as vLLM (``/v1/models``,
``/v1/completions``, ``/v1/chat/completions`` with ``n`` choices and a ``usage`` object), and counts every
request it receives, which is how a test proves that a rerun made none.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ReplayServer:
    """``replies[(model, prompt)]`` is the list of texts returned for a request with ``n`` choices (the first
    ``n``). A prompt it does not know gets HTTP 400, the way a server refuses a request."""

    def __init__(self, replies: dict[tuple[str, str], list[str]]):
        self.replies = replies
        self.requests = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/v1/models":
                    models = sorted({m for m, _p in server.replies})
                    self._send(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in models]})
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self):
                with server._lock:
                    server.requests += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                chat = self.path == "/v1/chat/completions"
                prompt = body["messages"][-1]["content"] if chat else body["prompt"]
                texts = server.replies.get((body["model"], prompt))
                if texts is None or len(texts) < body.get("n", 1):
                    self._send(400, {"error": {"message": "unknown prompt"}})
                    return
                texts = texts[:body.get("n", 1)]
                if chat:
                    choices = [{"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
                               for i, t in enumerate(texts)]
                else:
                    choices = [{"index": i, "text": t, "finish_reason": "stop"} for i, t in enumerate(texts)]
                usage = {"prompt_tokens": 1, "completion_tokens": sum(len(t.split()) for t in texts)}
                self._send(200, {"object": "text_completion", "choices": choices, "usage": usage})

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._http.shutdown()
        self._http.server_close()
