"""Client of vLLM's OpenAI-compatible server: batched concurrent requests, retries, an on-disk cache.

``ModelClient.generate(prompts, n=...)`` sends one request per prompt (``n`` samples in that request), all
at once up to ``concurrency`` in flight, and returns ``n`` completions per prompt in prompt order. Every
response is cached on disk by a hash of (model, prompt, sampling parameters) before ``generate`` returns or
raises, so a rerun after a crash or an outage resamples nothing that already came back.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from reasonry.errors import ReasonryError, RetryableError
from reasonry.models.cache import ResponseCache, response_key
from reasonry.models.config import ClientConfig

# httpx logs one INFO line per request, which floods worker logs at thousands of requests per shard; an
# application that configured the logger itself keeps its choice.
if logging.getLogger("httpx").level == logging.NOTSET:
    logging.getLogger("httpx").setLevel(logging.WARNING)

# Statuses worth retrying: overload, a server that is (re)starting, gateway hiccups.
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def _one_line(text: str, limit: int) -> str:
    """Server replies and transport errors in one line: an error message is read in one line of a terminal."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + " ..."


class ModelServerUnavailable(RetryableError):
    """The server could not be reached (or kept failing) after every retry; nothing that came back is lost."""


class ModelNotServed(ReasonryError):
    """The server answers but does not serve the configured model: a configuration error, never a record's."""


class ModelRequestError(ReasonryError):
    """The server refused a request for a reason retrying cannot fix (e.g. the prompt is too long)."""

    def __init__(self, message: str, *, status: int | None = None):
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ModelClient:
    """Talks to one model. In ``spawn`` mode the server is started on first use (once per process)."""

    def __init__(self, config: ClientConfig, *, url: str | None = None):
        self.config = config
        self._urls = [url.rstrip("/")] if url else None
        self._turn = -1
        self._cache = ResponseCache(config.cache_dir) if config.cache_dir else None
        self._lock = threading.Lock()
        self._connect_lock = threading.Lock()
        self._http: httpx.Client | None = None
        self.requests_made = 0  # HTTP requests sent, retries included
        self.cache_hits = 0
        self.completion_tokens = 0  # as reported by the server, for throughput figures
        self.requests_failed = 0  # requests the server refused (4xx), per prompt
        self._connected = False

    # --- connection ---------------------------------------------------------------------------------

    @property
    def urls(self) -> list[str]:
        """Every server this client spreads its requests over (spawn mode starts them on first use)."""
        if self._urls is None:
            if self.config.mode == "spawn":
                # lazy: only spawn mode starts servers (importing the module registers their atexit stop)
                from reasonry.models.server import shared_server

                self._urls = [shared_server(replica).url.rstrip("/") for replica in self.config.replicas()]
            else:
                self._urls = [u.rstrip("/") for u in (self.config.urls or (self.config.url,))]
        return self._urls

    @property
    def url(self) -> str:
        return self.urls[0]

    def _next_url(self) -> str:
        urls = self.urls
        if len(urls) == 1:
            return urls[0]
        with self._lock:
            self._turn += 1
            return urls[self._turn % len(urls)]

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
                limits = httpx.Limits(max_connections=self.config.concurrency,
                                      max_keepalive_connections=self.config.concurrency)
                self._http = httpx.Client(timeout=self.config.request_timeout_s, headers=headers, limits=limits)
            return self._http

    def connect(self) -> str:
        """Start (spawn mode) or find the servers and check that each serves the configured model. Requests call
        it on their first cache miss, so a run answered wholly from the cache needs no server."""
        for url in self.urls:
            self._check(url)
        self._connected = True
        return self.url

    def _check(self, url: str) -> None:
        attempts = self.config.max_retries + 1
        served = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(self.config.max_backoff_s, self.config.backoff_s * 2 ** (attempt - 1)))
            try:
                response = self._client().get(url + "/v1/models", timeout=30.0)
                response.raise_for_status()
                served = [m.get("id") for m in response.json().get("data", [])]
                break
            except (httpx.HTTPError, ValueError) as exc:
                last = _one_line(f"{type(exc).__name__}: {exc}", 300)
        if served is None:
            raise ModelServerUnavailable(f"model server at {url} is not answering after {attempts} attempts "
                                         f"(last error: {last})")
        if self.config.name not in served:
            raise ModelNotServed(f"server at {url} serves {served}, not {self.config.name!r}")

    def _ensure_connected(self) -> None:
        if self._connected:
            return
        with self._connect_lock:
            if not self._connected:
                self.connect()

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    # --- requests -----------------------------------------------------------------------------------

    def request_body(self, prompt: str, *, n: int, max_tokens: int, temperature: float, top_p: float,
                     stop: list[str] | None, seed: int | None) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.config.name, "n": n, "max_tokens": max_tokens,
                                "temperature": temperature, "top_p": top_p}
        if stop:
            body["stop"] = list(stop)
        if seed is not None:
            body["seed"] = seed
        if self.config.api == "chat":
            body["messages"] = [{"role": "user", "content": prompt}]
        else:
            body["prompt"] = prompt
        return body

    def _cache_request(self, body: dict[str, Any]) -> dict[str, Any]:
        # The model is named by what was loaded (plus an optional revision), not by the URL that served it.
        return {**body, "model": self.config.model, "revision": self.config.model_revision,
                "api": self.config.api}

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        self._ensure_connected()
        path = "/v1/chat/completions" if self.config.api == "chat" else "/v1/completions"
        attempts = self.config.max_retries + 1
        last = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(self.config.max_backoff_s, self.config.backoff_s * 2 ** (attempt - 1)))
            with self._lock:
                self.requests_made += 1
            url = self._next_url()  # a retry goes to the next server: one that is down costs one attempt
            try:
                response = self._client().post(url + path, json=body)
            except httpx.TransportError as exc:
                last = _one_line(f"{type(exc).__name__}: {exc}", 300)
                continue
            except ReasonryError:
                raise
            if response.status_code in TRANSIENT_STATUS:
                last = f"HTTP {response.status_code}: {_one_line(response.text, 200)}"
                continue
            if response.status_code >= 400:
                with self._lock:
                    self.requests_failed += 1
                raise ModelRequestError(f"HTTP {response.status_code} from {url}{path}: "
                                        f"{_one_line(response.text, 500)}", status=response.status_code)
            try:
                return response.json()
            except ValueError:
                last = "response is not JSON"
                continue
        raise ModelServerUnavailable(f"model server {', '.join(self.urls)} unavailable after {attempts} attempts "
                                     f"(last error: {last})")

    def _completions(self, data: dict[str, Any], n: int) -> list[str]:
        choices = sorted(data.get("choices") or [], key=lambda c: c.get("index", 0))
        if self.config.api == "chat":
            texts = [(c.get("message") or {}).get("content") or "" for c in choices]
        else:
            texts = [c.get("text") or "" for c in choices]
        if len(texts) != n:
            raise ModelRequestError(f"asked for {n} completions, the server returned {len(texts)}")
        usage = data.get("usage") or {}
        with self._lock:
            self.completion_tokens += int(usage.get("completion_tokens") or 0)
        return texts

    def _one(self, prompt: str, params: dict[str, Any]) -> list[str]:
        body = self.request_body(prompt, **params)
        cache = self._cache
        if cache is None:
            return self._completions(self._post(body), params["n"])
        cache_request = self._cache_request(body)
        key = response_key(cache_request)
        hit = cache.get(key)
        if hit is not None and len(hit) == params["n"]:
            with self._lock:
                self.cache_hits += 1
            return hit
        texts = self._completions(self._post(body), params["n"])
        cache.put(key, cache_request, texts)
        return texts

    def generate_each(self, prompts: list[str], *, n: int = 1, max_tokens: int = 256, temperature: float = 1.0,
                      top_p: float = 1.0, stop: list[str] | None = None,
                      seed: int | list[int] | None = None) -> list[list[str] | Exception]:
        """Like ``generate``, but a prompt whose request failed gets its exception instead of completions.
        ``seed`` may be a list with one seed per prompt."""
        if n < 1 or max_tokens < 1:
            raise ValueError("n and max_tokens must be >= 1")
        seeds = list(seed) if isinstance(seed, list | tuple) else [seed] * len(prompts)
        if len(seeds) != len(prompts):
            raise ValueError(f"{len(seeds)} seeds for {len(prompts)} prompts")
        params = {"n": n, "max_tokens": max_tokens, "temperature": temperature, "top_p": top_p,
                  "stop": list(stop) if stop else None}

        def run(job: tuple[str, int | None]) -> list[str] | Exception:
            try:
                return self._one(job[0], {**params, "seed": job[1]})
            except ReasonryError as exc:
                return exc

        if not prompts:
            return []
        jobs = list(zip(prompts, seeds, strict=True))
        workers = min(self.config.concurrency, len(prompts))
        if workers == 1:
            return [run(job) for job in jobs]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm") as pool:
            return list(pool.map(run, jobs))

    def generate(self, prompts: list[str], *, n: int = 1, max_tokens: int = 256, temperature: float = 1.0,
                 top_p: float = 1.0, stop: list[str] | None = None,
                 seed: int | list[int] | None = None) -> list[list[str]]:
        """``n`` completions for each prompt. Raises ``ModelServerUnavailable`` (a ``RetryableError``) when the
        server cannot be reached after retries, ``ModelRequestError`` when it refuses a request; every
        response that did come back is in the cache by then."""
        results = self.generate_each(prompts, n=n, max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                                     stop=stop, seed=seed)
        for result in results:
            if isinstance(result, ModelServerUnavailable):
                raise result
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results  # type: ignore[return-value]
