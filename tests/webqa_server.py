"""The fixture Q&A site served by a real ``http.server`` on 127.0.0.1 (tests only; no other network)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reasonry.generators.webqa.fixture_site import build_site

# Served without Content-Length so the crawler's streaming size cap (not the header check) has to stop it.
STREAMED = {"/archive/big.html"}
# Not part of the site: answers after 2 s, to exercise the crawler's time cap.
SLOW = "/slow.html"


class FixtureServer:
    def __init__(self):
        self.site = build_site()
        self.requests: list[str] = []
        self.times: list[float] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                with server.lock:
                    server.requests.append(self.path)
                    server.times.append(time.monotonic())
                page = server.site.get(self.path)
                if self.path == SLOW:
                    time.sleep(2.0)
                if page is None:
                    body = b"<html><body><h1>404 Not Found</h1></body></html>"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(page.status)
                for k, v in page.headers:
                    self.send_header(k, v)
                if self.path not in STREAMED:
                    self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                try:
                    self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler hung up at its size cap

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def fetched(self) -> list[str]:
        with self.lock:
            return list(self.requests)
