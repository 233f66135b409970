"""Generated tokens/s through our client and through the whole sampling stage against vLLM's offline engine.

    .venv/bin/python bench/llm.py [--model PATH_OR_HF_ID] [--python .venv-vllm/bin/python]
                                  [--prompts 64] [--n 4] [--max-tokens 64] [--server-arg=--dtype=float32 ...]

Same model, prompts and sampling parameters on both sides, run one after the other so they never share the
CPU: (1) ``ModelClient.generate`` sends every prompt as a concurrent request (``n`` samples each) to a server
started by our spawn code, tokens counted from the server's usage; (2) ``vllm.LLM.generate`` in the vLLM
interpreter, tokens counted from the outputs. Each side is warmed up, then timed over ``--repeat`` identical
passes; the best pass of each side is compared (the machine is shared, so the best pass is the one least
disturbed by other load), and the median is printed too. The ratio is client tokens/s divided by offline
tokens/s (target >= 0.9). Without ``--model`` a tiny random Llama
is built locally (nothing can be downloaded), which measures the serving path, not a real model.

The stage part runs ``SamplingStage.process`` (one request per sample with its own seed, allocation rounds,
grading by the records' verifiers, the policy) over ``--prompts`` tail/addition records, without a cache, and
compares its tokens/s with ``LLM.generate`` on the same prompts with ``n`` samples each: once with
``rule: fixed`` (k = n, one round) and once with the default ``rule: gvm`` (k0 = n / 2, the same average
budget n, two rounds; its second round is smaller, so the engine's batch is less full). Target >= 0.8.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from reasonry.models import ClientConfig, ModelClient, ServerConfig
from reasonry.models.server import VLLMServer
from reasonry.models.tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parent.parent
WORDS = "what is the sum of a and b Final answer x y".split()

OFFLINE = """
import json, sys, time
from vllm import LLM, SamplingParams
spec = json.loads(sys.argv[1])
llm = LLM(model=spec["model"], **spec["engine"])
params = SamplingParams(n=spec["n"], max_tokens=spec["max_tokens"], temperature=spec["temperature"],
                        top_p=spec["top_p"], seed=spec["seed"])
for name, prompts in spec["jobs"].items():
    llm.generate(prompts[:4], params, use_tqdm=False)  # warm-up
    for _ in range(spec["repeat"]):
        start = time.perf_counter()
        outputs = llm.generate(prompts, params, use_tqdm=False)
        elapsed = time.perf_counter() - start
        tokens = sum(len(c.token_ids) for o in outputs for c in o.outputs)
        print("RESULT " + json.dumps({"job": name, "tokens": tokens, "seconds": elapsed}))
"""
TEMPLATE = "{prompt}\nThink step by step, then end with a line 'Final answer: <answer>'."


def stage_records(count: int) -> list[dict]:
    from reasonry.registry import get_task
    from reasonry.rng import item_rng
    from reasonry.task import ItemKey

    task = get_task("tail/addition")
    return [task.generate(task.Config(), ItemKey("tail/addition", "train", "S", i),
                          item_rng(0, "tail/addition", i, "train", "S")) for i in range(count)]


def run_stage(client_config, records: list[dict], n: int, max_tokens: int, rule: str) -> dict:
    """One pass of the whole sampling stage; tokens as the server reported them."""
    from reasonry.config import from_dict, to_dict
    from reasonry.generators.llm.stage import SamplingStage, SamplingStageConfig

    allocation = {"rule": "fixed", "k0": n, "k_max": n, "budget_per_record": n} if rule == "fixed" else \
        {"rule": "gvm", "k0": max(1, n // 2), "k_max": 2 * n, "budget_per_record": n}
    config = from_dict(SamplingStageConfig, {
        "client": to_dict(client_config), "tasks": ["tail/*"], "prompt_template": TEMPLATE,
        "max_tokens": max_tokens, "temperature": 1.0, "top_p": 1.0, "seed": 1234,
        "self_consistency": {"policy": "none", "allocation": allocation}}, "stages.sampling")
    client = ModelClient(client_config)
    stage = SamplingStage(config, client=client, build_seed=1)
    start = time.perf_counter()
    _, _, stats = stage.process(records)
    seconds = time.perf_counter() - start
    client.close()
    return {"tokens": client.completion_tokens, "seconds": seconds, "samples": stats["samples_used"]}


def engine_kwargs(server_args: list[str]) -> dict:
    """The server's engine flags as LLM(...) keyword arguments, so both sides run the same engine settings."""
    kwargs: dict = {}
    i = 0
    while i < len(server_args):
        flag = server_args[i]
        key, _, value = flag.lstrip("-").partition("=")
        key = key.replace("-", "_")
        if not value and i + 1 < len(server_args) and not server_args[i + 1].startswith("--"):
            value, i = server_args[i + 1], i + 1
        elif not value and key.startswith("no_"):
            key, value = key[3:], False
        elif not value:
            value = True
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        kwargs[key] = value
        i += 1
    return kwargs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="")
    parser.add_argument("--python", default=str(ROOT / ".venv-vllm" / "bin" / "python"))
    parser.add_argument("--size", choices=["tiny", "small"], default="small",
                        help="random model without --model: tiny (hidden 64, 2 layers, 48 words) or small "
                             "(hidden 512, 4 layers, 32k words: closer to a real model's per-token cost)")
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--server-arg", action="append", default=None,
                        help="engine flag for both sides, e.g. --server-arg=--max-model-len=2048")
    args = parser.parse_args()
    # Chunked prefill off on the CPU: vLLM's CPU build crashes when it splits the prefill of a seeded request
    # ("CPU Generator does not use offset"), and every sample of the stage is a seeded request.
    server_args = args.server_arg or ["--max-model-len", "256", "--enforce-eager", "--dtype", "float32",
                                      "--no-enable-chunked-prefill"]
    env = {"VLLM_CPU_KVCACHE_SPACE": os.environ.get("VLLM_CPU_KVCACHE_SPACE", "2")}

    work = Path(tempfile.mkdtemp(prefix="bench-llm-"))
    shape = {"tiny": {}, "small": {"hidden": 512, "layers": 4, "extra_words": 32000}}[args.size]
    model = args.model or str(build_tiny_model(work / args.size, python=args.python, **shape))
    prompts = [" ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(4 + i % 5)) + f" {i % 10} ?"
               for i in range(args.prompts)]
    sampling = {"n": args.n, "max_tokens": args.max_tokens, "temperature": 1.0, "top_p": 1.0, "seed": 1234}
    records = stage_records(args.prompts)

    config = ClientConfig(model=model, mode="spawn", concurrency=args.concurrency,
                          server=ServerConfig(python=args.python, args=tuple(server_args), env=env,
                                              log_dir=str(work)))
    server = VLLMServer(config)
    started = time.perf_counter()
    server.start()
    startup = time.perf_counter() - started
    try:
        client = ModelClient(config, url=server.url)
        client.generate(prompts[:4], **sampling)  # warm-up
        client_runs = []
        for _ in range(args.repeat):
            client.completion_tokens = 0
            start = time.perf_counter()
            client.generate(prompts, **sampling)
            client_runs.append({"tokens": client.completion_tokens, "seconds": time.perf_counter() - start})
        client.close()
        # One request per sample: as many requests in flight as the client part has sequences in flight.
        url_config = ClientConfig(model=model, url=server.url, concurrency=args.concurrency * args.n)
        run_stage(url_config, records[:4], args.n, args.max_tokens, "fixed")  # warm-up
        stage_runs = {rule: [run_stage(url_config, records, args.n, args.max_tokens, rule)
                             for _ in range(args.repeat)] for rule in ("fixed", "gvm")}
    finally:
        server.stop()

    stage_prompts = [TEMPLATE.replace("{prompt}", r["prompt"]) for r in records]
    spec = {"model": model, "engine": engine_kwargs(server_args), "repeat": args.repeat,
            "jobs": {"client": prompts, "stage": stage_prompts}, **sampling}
    done = subprocess.run([args.python, "-c", OFFLINE, json.dumps(spec)], capture_output=True, text=True,
                          env={**os.environ, **env, "HF_HUB_OFFLINE": "1", "VLLM_NO_USAGE_STATS": "1"})
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"offline vLLM run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    results = [json.loads(line[len("RESULT "):]) for line in lines]
    offline_runs = [r for r in results if r["job"] == "client"]
    offline_stage_runs = [r for r in results if r["job"] == "stage"]

    def rates(runs: list[dict]) -> tuple[dict, float, float]:
        ordered = sorted(runs, key=lambda r: r["tokens"] / r["seconds"])
        best = ordered[-1]
        return best, best["tokens"] / best["seconds"], statistics.median(r["tokens"] / r["seconds"] for r in runs)

    client, client_rate, client_median = rates(client_runs)
    offline, offline_rate, offline_median = rates(offline_runs)
    label = model if args.model else f"random Llama {args.size} {shape or '(hidden 64, 2 layers, 48 words)'}"
    print(f"model: {label}; {args.prompts} prompts "
          f"x n={args.n}, max_tokens={args.max_tokens}; engine flags: {' '.join(server_args)}")
    print(f"server start-up:            {startup:8.1f} s")
    print(f"best of {args.repeat} passes (median in brackets):")
    print(f"our client via the server:  {client['tokens']:8d} tokens in {client['seconds']:7.2f} s = "
          f"{client_rate:9.1f} tok/s ({client_median:.1f})")
    print(f"vLLM offline LLM.generate:  {offline['tokens']:8d} tokens in {offline['seconds']:7.2f} s = "
          f"{offline_rate:9.1f} tok/s ({offline_median:.1f})")
    print(f"ratio client/offline: {client_rate / offline_rate:.2f} (median {client_median / offline_median:.2f}; "
          "target >= 0.9)")
    print(f"whole sampling stage, {len(records)} tail/addition records, n={args.n} per record on average:")
    reference, reference_rate, reference_median = rates(offline_stage_runs)
    print(f"vLLM offline, same prompts:  {reference['tokens']:8d} tokens in {reference['seconds']:7.2f} s = "
          f"{reference_rate:9.1f} tok/s ({reference_median:.1f})")
    for rule, runs in stage_runs.items():
        best, rate, median = rates(runs)
        label = "fixed k, 1 round" if rule == "fixed" else "gvm, 2 rounds"
        print(f"stage ({label}):{' ' * (14 - len(label))}{best['tokens']:8d} tokens in {best['seconds']:7.2f} s = "
              f"{rate:9.1f} tok/s ({median:.1f}); {best['samples']} samples; ratio {rate / reference_rate:.2f} "
              f"(median {median / reference_median:.2f}; target >= 0.8)")


if __name__ == "__main__":
    main()
