"""Model-written Prolog prototypes (ProtoReasoning's transformation step), checked by SWI-Prolog.

A model turns a natural-language problem into a Prolog program under the ``solve_json`` contract
(``library(http/json)``; ``solve_json/0`` prints exactly one JSON object; the answer is computed, not written
in). Each sample's program runs in the sandboxed worker pool of ``reasonry.verifiers.prolog`` (untrusted
code: ``library(sandbox)``, time and inference limits), and a problem is kept only with a program that runs
and prints one JSON object. Optionally the model then writes a harder "evolved" variant (a bigger instance,
another constraint or objective), which is run and kept the same way. Both programs and the interpreter's
answers are recorded; ``to_record`` makes a schema-v1 execution record (program + query -> printed JSON)
that the ``prolog`` verifier checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reasonry.config import require
from reasonry.record import make_record

PROTOTYPE_PROMPT = """Translate the problem below into a SWI-Prolog program.

Rules for the program:
- start with ":- use_module(library(http/json))." (add library(clpfd) if you use constraints);
- model the problem with facts and rules and find the answer by search; never write the answer in the program;
- define solve_json/0, which prints exactly one JSON object with the answer using
  json_write_dict(current_output, Dict) and prints nothing else;
- use no files, no shell and no input.
Reply with the whole program in one ```prolog code block.

Problem:
{problem}
"""

EVOLVE_PROMPT = """Here is a problem and a SWI-Prolog program that solves it.

Problem:
{problem}

```prolog
{program}
```

Write a harder variant of this problem: a bigger instance, an extra constraint, or a different objective.
Keep the same program rules (library(http/json), solve_json/0 printing exactly one JSON object, the answer
found by search). Reply with the new problem statement after a line "Problem:" and then the whole new program
in one ```prolog code block.
"""

FENCE_RE = re.compile(r"```[ \t]*(prolog|pl|swi-prolog|)[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
PROBLEM_RE = re.compile(r"^\s*\**problem\**\s*:\s*(.*?)(?=```|\Z)", re.DOTALL | re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class PrototypeConfig:
    samples: int = 4  # programs asked for per problem; the first that runs is kept
    max_tokens: int = 1536
    temperature: float = 0.7
    seed: int = 0
    evolve: bool = False
    time_limit: float = 5.0
    inference_limit: int = 50_000_000

    def __post_init__(self):
        require(self.samples >= 1, "samples", "must be >= 1")
        require(self.max_tokens >= 1, "max_tokens", "must be >= 1")
        require(self.time_limit > 0 and self.inference_limit > 0, "time_limit", "limits must be > 0")


def extract_program(text: str) -> str | None:
    """The last fenced Prolog block (an unlabelled fence counts when it holds a directive or a clause)."""
    for lang, body in reversed(FENCE_RE.findall(text or "")):
        if lang or ":-" in body:
            return body.strip() + "\n"
    return None


def extract_problem(text: str) -> str | None:
    match = PROBLEM_RE.search(text or "")
    problem = match.group(1).strip() if match else ""
    return problem or None


def check_program(program: str, config: PrototypeConfig = PrototypeConfig()) -> tuple[str | None, str, int]:
    """(canonical JSON the program printed or None, reason, inferences) from the sandboxed pool."""
    from reasonry.verifiers.prolog import ProgramRejected, run_json
    from reasonry.verifiers.prolog.output import canonical

    if "solve_json" not in program:
        return None, "no_solve_json", 0
    try:
        value, inferences = run_json(program, "solve_json", time_limit=config.time_limit,
                                     inference_limit=config.inference_limit)
    except ProgramRejected as exc:
        return None, f"prolog_{exc.reason}", 0
    return canonical(value), "ok", inferences


def _first_running(texts: list[str], config: PrototypeConfig) -> tuple[dict | None, list[str]]:
    reasons = []
    for index, text in enumerate(texts):
        program = extract_program(text)
        if program is None:
            reasons.append("no_program")
            continue
        answer, reason, inferences = check_program(program, config)
        if answer is None:
            reasons.append(reason)
            continue
        return {"program": program, "answer": answer, "inferences": inferences, "sample": index,
                "text": text}, reasons
    return None, reasons


def write_prototypes(client, problems: list[dict], config: PrototypeConfig = PrototypeConfig()):
    """``problems``: ``[{"id", "problem"}]``. Returns (prototypes, rejects, stats); one batched model call per
    step (programs, then evolved variants)."""
    texts = client.generate([PROTOTYPE_PROMPT.replace("{problem}", p["problem"]) for p in problems],
                            n=config.samples, max_tokens=config.max_tokens, temperature=config.temperature,
                            seed=config.seed)
    kept, rejects = [], []
    stats = {"problems": len(problems), "samples": len(problems) * config.samples}
    for problem, samples in zip(problems, texts, strict=True):
        found, reasons = _first_running(samples, config)
        for reason in reasons:
            stats[f"sample_{reason}"] = stats.get(f"sample_{reason}", 0) + 1
        if found is None:
            rejects.append({"reason": "no_running_program", "detail": ", ".join(reasons),
                            "task": "prolog/model_written", "id": problem["id"], "record": None})
            continue
        kept.append({"id": problem["id"], "problem": problem["problem"], **found, "evolved": None})
    if config.evolve and kept:
        prompts = [EVOLVE_PROMPT.replace("{problem}", p["problem"]).replace("{program}", p["program"]) for p in kept]
        evolved_texts = client.generate(prompts, n=config.samples, max_tokens=config.max_tokens,
                                        temperature=config.temperature, seed=config.seed + 1)
        for prototype, samples in zip(kept, evolved_texts, strict=True):
            found, reasons = _first_running(samples, config)
            for reason in reasons:
                stats[f"evolve_{reason}"] = stats.get(f"evolve_{reason}", 0) + 1
            if found is not None:
                found["problem"] = extract_problem(found["text"])
                prototype["evolved"] = found
    stats["kept"] = len(kept)
    stats["evolved"] = sum(1 for p in kept if p["evolved"])
    return kept, rejects, stats


def to_record(prototype: dict, *, evolved: bool = False) -> dict:
    """A schema-v1 execution record: predict what the (model-written) program prints."""
    source = prototype["evolved"] if evolved else prototype
    program = source["program"]
    prompt = ("What does this SWI-Prolog program print when run as `swipl -q -f prog.pl -t solve_json,halt`? "
              "Answer with the JSON object.\n\n```prolog\n" + program + "```")
    return make_record(
        family="prolog", task="prolog/model_written/execution", problem={"program": program}, prompt=prompt,
        answer=source["answer"], answer_type="json", verifier_kind="prolog",
        verifier_spec={"program": program, "goal": "solve_json"},
        meta={"source_problem_id": prototype["id"], "problem_text": source.get("problem") or prototype["problem"],
              "evolved": evolved, "inferences": source["inferences"], "model_written": True},
        provenance={"generator": "llm/prototypes", "generator_version": "1"})
