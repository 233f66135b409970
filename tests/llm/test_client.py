"""The model client against the real vLLM CPU server (tiny random Llama): n samples, stop strings, caching,
retries, outages and refused requests."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reasonry.errors import RetryableError
from reasonry.models import ModelClient, ModelRequestError, ModelServerUnavailable
from reasonry.models.cache import ResponseCache
from reasonry.models.server import free_port

pytestmark = pytest.mark.slow

PROMPTS = ["what is 2 + 3 ?", "what is the sum of 4 and 5 ?", "x = 7 * 8 . what is x ?"]


def test_n_samples_per_prompt_one_request_each(vllm_server):
    client = ModelClient(vllm_server.client_config())
    out = client.generate(PROMPTS, n=4, max_tokens=12, seed=1)
    assert client.requests_made == len(PROMPTS)  # n samples travel in one request per prompt
    assert [len(samples) for samples in out] == [4, 4, 4]
    assert all(isinstance(t, str) and t.strip() for samples in out for t in samples)
    assert all(len(set(samples)) > 1 for samples in out)  # temperature 1: the samples differ
    assert client.completion_tokens > 0
    # Same seed, same request: vLLM's seeded sampling repeats itself.
    assert ModelClient(vllm_server.client_config()).generate(PROMPTS[:1], n=4, max_tokens=12, seed=1) == out[:1]


def test_stop_strings_cut_completions(vllm_server):
    client = ModelClient(vllm_server.client_config())
    free = client.generate(PROMPTS[:1], n=8, max_tokens=32, seed=5)[0]
    stopped = client.generate(PROMPTS[:1], n=8, max_tokens=32, seed=5, stop=["7"])[0]
    assert any("7" in text for text in free), "the seeded free run should contain the stop string somewhere"
    assert not any("7" in text for text in stopped)
    for a, b in zip(free, stopped, strict=True):
        assert a.startswith(b)  # same seed: identical up to the stop string
    assert sum(len(b) < len(a) for a, b in zip(free, stopped, strict=True)) >= 1


def test_cache_second_run_makes_no_requests(vllm_server, tmp_path):
    config = vllm_server.client_config(cache_dir=str(tmp_path / "cache"))
    first = ModelClient(config)
    out = first.generate(PROMPTS, n=2, max_tokens=8, seed=3)
    assert first.requests_made == 3 and len(ResponseCache(config.cache_dir)) == 3
    again = ModelClient(config)
    assert again.generate(PROMPTS, n=2, max_tokens=8, seed=3) == out
    assert again.requests_made == 0 and again.cache_hits == 3
    # Any sampling parameter is part of the key: a different temperature is a new request.
    again.generate(PROMPTS[:1], n=2, max_tokens=8, seed=3, temperature=0.5)
    assert again.requests_made == 1


def test_server_unavailable_clear_error_and_nothing_lost(vllm_server, tmp_path):
    cache = str(tmp_path / "cache")
    up = ModelClient(vllm_server.client_config(cache_dir=cache))
    done = up.generate(PROMPTS[:2], n=2, max_tokens=8, seed=0)
    dead_url = f"http://127.0.0.1:{free_port()}"
    down = ModelClient(vllm_server.client_config(cache_dir=cache, url=dead_url, max_retries=2, backoff_s=0.05))
    with pytest.raises(ModelServerUnavailable) as info:
        down.generate(PROMPTS, n=2, max_tokens=8, seed=0)
    assert isinstance(info.value, RetryableError)
    assert dead_url in str(info.value) and "after 3 attempts" in str(info.value)
    assert "\n" not in str(info.value)  # one line
    # Only the uncached prompt needed the server: its connection check was tried 1 + 2 times, no request sent.
    assert down.requests_made == 0 and down.cache_hits == 2
    # Back up: the finished responses were kept, only the missing one is sampled.
    back = ModelClient(vllm_server.client_config(cache_dir=cache))
    out = back.generate(PROMPTS, n=2, max_tokens=8, seed=0)
    assert back.requests_made == 1 and out[:2] == done


class _FlakyProxy:
    """A real HTTP proxy on 127.0.0.1 that answers 503 to the first ``failures`` POSTs and forwards the rest
    to the vLLM server: vLLM itself cannot be made to fail transiently on demand."""

    def __init__(self, upstream: str, failures: int):
        self.upstream, self.failures, self.seen = upstream, failures, 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the client's model check goes straight through
                with urllib.request.urlopen(proxy.upstream + self.path, timeout=60) as response:
                    data = response.read()
                self._send_json(data)

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                proxy.seen += 1
                if proxy.seen <= proxy.failures:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                request = urllib.request.Request(proxy.upstream + self.path, data=body,
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=60) as response:
                    data = response.read()
                self._send_json(data)

            def _send_json(self, data: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_transient_errors_are_retried_with_backoff(vllm_server):
    proxy = _FlakyProxy(vllm_server.url, failures=2)
    try:
        client = ModelClient(vllm_server.client_config(url=proxy.url, max_retries=3, backoff_s=0.05))
        out = client.generate(PROMPTS[:1], n=2, max_tokens=8, seed=0)
    finally:
        proxy.close()
    assert client.requests_made == 3 and proxy.seen == 3
    assert len(out[0]) == 2


def test_refused_request_is_not_retried(vllm_server):
    client = ModelClient(vllm_server.client_config())
    too_long = " ".join(["what"] * 400)  # more tokens than --max-model-len 256
    results = client.generate_each([too_long, PROMPTS[0]], n=1, max_tokens=8, seed=0)
    assert isinstance(results[0], ModelRequestError) and results[0].status == 400
    assert isinstance(results[1], list) and len(results[1]) == 1
    assert client.requests_made == 2
    with pytest.raises(ModelRequestError):
        client.generate([too_long], max_tokens=8)


def test_spawn_mode_shares_one_server_per_process(vllm_server):
    from reasonry.models.server import shared_server

    a = ModelClient(vllm_server.spawn_config)
    b = ModelClient(vllm_server.spawn_config)
    assert a.url == b.url == vllm_server.url
    assert shared_server(vllm_server.spawn_config).url == vllm_server.url
    assert a.connect() == vllm_server.url
    with urllib.request.urlopen(vllm_server.url + "/v1/models", timeout=10) as response:
        assert [m["id"] for m in json.load(response)["data"]] == ["tiny"]


def test_chat_api_uses_the_models_chat_template(vllm_server, tmp_path):
    chat = ModelClient(vllm_server.client_config(api="chat", cache_dir=str(tmp_path)))
    out = chat.generate(PROMPTS[:2], n=3, max_tokens=8, seed=2)
    assert [len(s) for s in out] == [3, 3] and chat.requests_made == 2
    plain = ModelClient(vllm_server.client_config(cache_dir=str(tmp_path)))
    plain.generate(PROMPTS[:2], n=3, max_tokens=8, seed=2)
    assert plain.requests_made == 2  # the API is part of the cache key: no chat reply is reused for a completion


def test_requests_spread_over_several_servers(vllm_server):
    """Data parallelism in url mode: two real HTTP front ends on 127.0.0.1 before the one real server, so the
    spread is observable; every response still comes from vLLM."""
    proxies = [_FlakyProxy(vllm_server.url, failures=0) for _ in range(2)]
    try:
        client = ModelClient(vllm_server.client_config(urls=tuple(p.url for p in proxies)))
        out = client.generate_each(PROMPTS + PROMPTS[:1], n=1, max_tokens=8, seed=[1, 2, 3, 4])
    finally:
        for proxy in proxies:
            proxy.close()
    assert all(isinstance(texts, list) and len(texts) == 1 for texts in out)
    assert [p.seen for p in proxies] == [2, 2]  # in turn, one request each


def test_many_concurrent_seeded_requests_keep_the_cpu_server_up(vllm_server):
    """Every sample of the stage is a seeded request. vLLM's CPU build crashes ("CPU Generator does not use
    offset") when it splits the prefill of a seeded request, which happens as soon as the prompts in flight
    exceed its token budget (2048) with chunked prefill on; the fixture turns it off, as configs/llm.yaml does."""
    client = ModelClient(vllm_server.client_config(concurrency=64))
    prompt = " ".join(["what is the sum of a and b ?"] * 8)  # about 70 tokens: 64 of them fill 4,500
    out = client.generate_each([prompt] * 64, n=1, max_tokens=4, seed=list(range(64)))
    assert all(isinstance(texts, list) for texts in out), [r for r in out if isinstance(r, Exception)][:1]
    assert ModelClient(vllm_server.client_config()).connect() == vllm_server.url  # still up
