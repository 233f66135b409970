"""Shared test set-up: keep caches and Hub state inside the test's temporary folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _isolated_hf_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("hf-home")
    os.environ["HF_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    # Beam worker processes import plugin modules from tests/: make the repository root importable there.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    yield


# The real vLLM CPU server (session-scoped); any test may request `vllm_server`.
from tests.vllm_server import vllm_server  # noqa: E402, F401


def _built_in_registry():
    from reasonry import registry

    return dict(registry._EXTRA_TASKS), dict(registry.VERIFIERS)


_BUILT_IN = _built_in_registry()


@pytest.fixture(autouse=True)
def _registry_as_built_in():
    """A test (or a module-scoped fixture) that builds with a plugin registers its tasks and verifiers in this
    process; after each test the registry is put back as it was before any test, and the plugin modules are
    forgotten, so later tests see the built-in registry and a later build re-imports (and re-registers) them."""
    yield
    from reasonry import registry

    tasks, verifiers = _BUILT_IN
    if registry._EXTRA_TASKS != tasks or registry.VERIFIERS != verifiers:
        registry._EXTRA_TASKS.clear()
        registry._EXTRA_TASKS.update(tasks)
        registry.VERIFIERS.clear()
        registry.VERIFIERS.update(verifiers)
        for cached in (registry.task_index, registry.get_task, registry.get_verifier):
            cached.cache_clear()
    for name in [n for n in sys.modules if n.startswith("tests.plugins.")]:
        del sys.modules[name]
