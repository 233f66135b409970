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


# ------------------------------------------------------------------------------------------------ hostile web


def qa_page(question: str, answer: str, title: str = "Question") -> bytes:
    """A schema.org QAPage with an accepted answer (UTF-8)."""
    import html
    import json

    data = {"@context": "https://schema.org", "@type": "QAPage",
            "mainEntity": {"@type": "Question", "name": title, "text": question,
                           "acceptedAnswer": {"@type": "Answer", "text": answer}}}
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<script type="application/ld+json">{json.dumps(data)}</script></head><body><h1>{html.escape(title)}'
            f"</h1><p>{html.escape(question)}</p><p>{html.escape(answer)}</p></body></html>").encode()


def _solution_page(lang: str, title: str, problems: list[tuple[str, str, str]], words: tuple[str, str, str],
                   one_paragraph: bool) -> str:
    """An exam page: each problem as headings and paragraphs, or each written as one paragraph."""
    problem, solution, answer = words
    parts = [f"<h1>{title}</h1>"]
    for i, (question, working, stated) in enumerate(problems, 1):
        if one_paragraph:
            parts.append(f"<p>{problem} {i}. {question} {solution}: {working} {answer}: {stated}</p>")
        else:
            parts.append(f"<h2>{problem} {i}</h2><p>{question}</p><h3>{solution}</h3><p>{working}</p>"
                         f"<p>{answer} : {stated}</p>" if lang == "fr" else
                         f"<h2>{problem} {i}</h2><p>{question}</p><h3>{solution}</h3><p>{working}</p>"
                         f"<p>{answer}: {stated}</p>")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title></head><body>'
            f'<nav><a href="/">Home</a></nav><article>{"".join(parts)}</article><footer>(c) 2026</footer>'
            f"</body></html>")


# (path, encoding, how it is declared, page, [(question start, canonical answer, type)])
LANGUAGE_PAGES = [
    ("/lang/fr.html", "iso-8859-1", "header", _solution_page("fr", "Exercices corrigés", [
        ("Un train parcourt 300 km en 3 heures à vitesse constante. Quelle est sa vitesse moyenne en km/h ?",
         "On divise la distance par la durée : 300 / 3 = 100.", "100"),
        ("Un élève répond correctement à 18 questions sur 24. Quel pourcentage de réussite obtient-il ?",
         "18 / 24 = 0,75.", "75%")], ("Problème", "Solution", "Réponse"), one_paragraph=False),
     [("Un train parcourt", "100", "integer"), ("Un élève répond", "75%", "percentage")]),
    ("/lang/de.html", "windows-1252", "undeclared", _solution_page("de", "Übungsaufgaben mit Lösungen", [
        ("Ein Würfel hat die Kantenlänge 3 cm. Wie groß ist sein Volumen in Kubikzentimetern?",
         "Das Volumen ist 3 · 3 · 3 = 27 – „Kantenlänge hoch drei“.", "27"),
        ("Wie viele Minuten hat ein Tag, wenn man die Stunden des Tages mit sechzig multipliziert?",
         "24 · 60 = 1440.", "1440")], ("Aufgabe", "Lösung", "Antwort"), one_paragraph=True),
     [("Ein Würfel hat", "27", "integer"), ("Wie viele Minuten", "1440", "integer")]),
    ("/lang/es.html", "iso-8859-15", "meta", _solution_page("es", "Problemas resueltos", [
        ("¿Cuántos lados tiene un hexágono regular dibujado en la pizarra del aula?",
         "Un hexágono tiene seis lados iguales.", "6"),
        ("Un artículo cuesta 20 euros y se rebaja a 15 euros. ¿Qué fracción del precio original se descuenta?",
         "La rebaja es de 5 sobre 20, es decir, un cuarto.", "1/4")], ("Problema", "Solución", "Respuesta"),
        one_paragraph=True),
     [("¿Cuántos lados", "6", "integer"), ("Un artículo cuesta", "1/4", "fraction")]),
    ("/lang/en.html", "utf-8", "header", _solution_page("en", "Worked answers", [
        ("A shop sells a lamp for twenty dollars more than a chair that costs eighty dollars. What does the "
         "lamp cost?", "Eighty plus twenty.", "$100")], ("Problem", "Solution", "Answer"), one_paragraph=True),
     [("A shop sells", "100", "integer")]),
]

CONFLICT_QUESTION = "How many minutes are there in one hour, as used on an ordinary wall clock?"


class HostileServer:
    """A real ``http.server`` on 127.0.0.1 that misbehaves the way servers on the web do.

    ``robots`` is served as /robots.txt. Paths: ``/drip.html`` (headers, then one body byte every 0.5 s),
    ``/drip-head.html`` (the status line one byte every 0.5 s), ``/stall.html`` (never answers),
    ``/429.html`` (429 with Retry-After: 1 twice, then a page), ``/503.html`` (503 with Retry-After: 1 once),
    ``/reset.html`` (connection reset once), ``/429-forever.html`` (Retry-After: 3600), ``/503-always.html``,
    ``/moved.html`` (301 to ``/target.html``), ``/loop-a`` and ``/loop-b``, ``/chain-0`` .. ``/chain-7``,
    ``/bad-status.html`` (not HTTP), ``/private/secret.html`` (for robots), two pages with the same question
    and answers 60 and 61, a page with the answer ``$100``, and ``LANGUAGE_PAGES``.
    """

    def __init__(self, robots: str = "User-agent: *\nDisallow: /private/\n"):
        self.robots = robots.encode()
        self.requests: list[str] = []
        self.times: list[tuple[str, float]] = []
        self.lock = threading.Lock()
        self.pages: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {}
        html = [("Content-Type", "text/html; charset=utf-8")]
        for path in ("/target.html", "/429.html", "/503.html", "/reset.html"):
            self.pages[path] = (200, html, qa_page(f"What is the page number of {path}, counted from one "
                                                   f"upwards on the site map?", "Answer: 7", path))
        self.pages["/conflict-a.html"] = (200, html, qa_page(CONFLICT_QUESTION, "Answer: 60", "Minutes"))
        self.pages["/conflict-b.html"] = (200, html, qa_page(CONFLICT_QUESTION, "Answer: 61", "Minutes"))
        self.pages["/agree-a.html"] = (200, html, qa_page("How many legs does a spider have, counting all of "
                                                          "its walking legs?", "Answer: 8", "Spider"))
        self.pages["/agree-b.html"] = (200, html, qa_page("How many legs does a spider have, counting all of "
                                                          "its walking legs?", "Answer: 8.0", "Spider"))
        self.pages["/price.html"] = (200, html, qa_page("A ticket costs eighty dollars plus a twenty dollar fee. "
                                                        "What is the total price of the ticket?",
                                                        "Answer: $100", "Price"))
        self.pages["/private/secret.html"] = (200, html, qa_page("What is the secret number on the private "
                                                                 "answer key page?", "Answer: 42"))
        for path, encoding, declared, page, _expected in LANGUAGE_PAGES:
            body = page
            headers = [("Content-Type", f"text/html; charset={encoding}" if declared == "header" else "text/html")]
            if declared == "meta":
                body = body.replace("<head>", f'<head><meta charset="{encoding}">')
            self.pages[path] = (200, headers, body.encode(encoding))
        self.counts: dict[str, int] = {}
        links = sorted(self.pages) + ["/moved.html", "/loop-a", "/chain-0", "/bad-status.html",
                                      "/429-forever.html", "/503-always.html", "/missing.html"]
        self.index = ("<html><body>" + "".join(f'<a href="{p}">{p}</a>' for p in links) + "</body></html>").encode()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                path = self.path
                with server.lock:
                    server.requests.append(path)
                    server.times.append((path, time.monotonic()))
                    n = server.counts[path] = server.counts.get(path, 0) + 1
                try:
                    server._answer(self, path, n)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that hung up on a dripping response is what these tests do on purpose

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _send(self, h, status: int, body: bytes, headers=(("Content-Type", "text/html; charset=utf-8"),)):
        h.send_response(status)
        for k, v in headers:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(body)
        h.close_connection = True

    def _answer(self, h, path: str, n: int) -> None:
        import socket
        import struct

        if path == "/robots.txt":
            return self._send(h, 200, self.robots, (("Content-Type", "text/plain"),))
        if path == "/":
            return self._send(h, 200, self.index)
        if path == "/drip.html":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "1000")
            h.end_headers()
            h.wfile.flush()
            for _ in range(120):
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(0.5)
            return None
        if path == "/drip-head.html":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"y" * 200:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(0.5)
            return None
        if path == "/stall.html":
            time.sleep(60)
            return None
        if path == "/429.html" and n <= 2:
            return self._send(h, 429, b"slow down", (("Retry-After", "1"),))
        if path == "/503.html" and n <= 1:
            return self._send(h, 503, b"busy", (("Retry-After", "1"),))
        if path == "/429-forever.html":
            return self._send(h, 429, b"come back tomorrow", (("Retry-After", "3600"),))
        if path == "/503-always.html":
            return self._send(h, 503, b"down")
        if path == "/reset.html" and n <= 1:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()  # RST: the client sees a connection reset
            h.close_connection = True
            return None
        if path == "/moved.html":
            return self._send(h, 301, b"", (("Location", "/target.html"),))
        if path in ("/loop-a", "/loop-b"):
            return self._send(h, 302, b"", (("Location", "/loop-b" if path == "/loop-a" else "/loop-a"),))
        if path.startswith("/chain-"):
            return self._send(h, 302, b"", (("Location", f"/chain-{int(path[7:]) + 1}"),))
        if path == "/bad-status.html":
            h.wfile.write(b"this is not HTTP at all\r\n\r\n")
            h.close_connection = True
            return None
        if path in self.pages:
            status, headers, body = self.pages[path]
            return self._send(h, status, body, headers)
        return self._send(h, 404, b"<html><body>not found</body></html>")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def fetched(self) -> list[str]:
        with self.lock:
            return list(self.requests)

    def time_of(self, path: str) -> float:
        with self.lock:
            return next(t for p, t in self.times if p == path)
