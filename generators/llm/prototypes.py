"""Model-written Prolog prototypes (ProtoReasoning's transformation step), anchored to verified answers.

A model turns a natural-language problem into a Prolog program under the ``solve_json`` contract
(``library(http/json)``; ``solve_json/0`` prints exactly one JSON object; the answer is computed, not written
in). A sample's program is kept only when all of these hold:

1. a static check finds that what it prints depends on a computation (``prolog_static.constant_output``):
   ``solve_json :- json_write_dict(current_output, _{answer:42}).`` is rejected as ``constant_output``;
2. it runs in the sandboxed worker pool of ``reasonry.verifiers.prolog`` (untrusted code: ``library(sandbox)``,
   time and inference limits) and prints one JSON object;
3. the interpreter's answer equals the source record's verified answer, as the source's own verifier judges
   it (``source_accepts``): the whole object for JSON answers, the ``answer`` field otherwise.

Optionally the model then writes a harder "evolved" variant (a bigger instance, another constraint or
objective). Its answer is new, so nothing can anchor it to a verified one: it must pass checks 1 and 2, and
its record says ``anchor: "evolved"`` (an anchored prototype says ``anchor: "source_answer"``). Both programs
and the interpreter's answers are recorded; ``to_record`` makes a schema-v1 execution record (program + query
-> printed JSON) that the ``prolog`` verifier checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from reasonry.config import require
from reasonry.generators.llm.prolog_static import constant_output
from reasonry.models import ModelRequestError
from reasonry.record import make_record
from reasonry.registry import get_verifier
from reasonry.verdict import Verdict
from reasonry.verifiers.prolog import ProgramRejected, run_json
from reasonry.verifiers.prolog.output import canonical

PROTOTYPE_PROMPT = """Translate the problem below into a SWI-Prolog program.

Rules for the program:
- start with ":- use_module(library(http/json))." (add library(clpfd) if you use constraints);
- model the problem with facts and rules and find the answer by search; never write the answer in the program;
- define solve_json/0, which prints exactly one JSON object with the answer using
  json_write_dict(current_output, Dict) and prints nothing else; {output}
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


JSON_OUTPUT = "the object is exactly the JSON answer the problem asks for;"
VALUE_OUTPUT = 'the object is {"answer": A}, where A is the answer;'


def prototype_prompt(source: dict) -> str:
    output = JSON_OUTPUT if source.get("answer_type") == "json" else VALUE_OUTPUT
    return PROTOTYPE_PROMPT.replace("{output}", output).replace("{problem}", source["prompt"])


def source_accepts(source: dict, printed: str) -> Verdict:
    """Whether the program's printed JSON is the source record's verified answer, by the source's own verifier:
    the whole object for a JSON answer, else the object's ``answer`` field."""
    if not source.get("answer"):
        return Verdict.no("source has no verified answer")
    if source.get("answer_type") == "json":
        candidate = printed
    else:
        value = json.loads(printed)
        if not isinstance(value, dict) or set(value) != {"answer"}:
            return Verdict.no('printed object is not {"answer": ...}')
        candidate = value["answer"] if isinstance(value["answer"], str) else json.dumps(value["answer"])
    try:
        return get_verifier(source["verifier"]["kind"]).verify(source["verifier"]["spec"], candidate)
    except Exception as exc:  # a verifier must not raise; if one does, the sample is counted, not lost
        return Verdict.no(f"verifier_error: {type(exc).__name__}: {exc}")


def check_program(program: str, config: PrototypeConfig = PrototypeConfig()) -> tuple[str | None, str, int]:
    """(canonical JSON the program printed or None, reason, inferences) from the static check and the
    sandboxed pool."""
    if "solve_json" not in program:
        return None, "no_solve_json", 0
    constant = constant_output(program)
    if constant is not None:
        return None, constant.split(":", 1)[0], 0
    try:
        value, inferences = run_json(program, "solve_json", time_limit=config.time_limit,
                                     inference_limit=config.inference_limit)
    except ProgramRejected as exc:
        return None, f"prolog_{exc.reason}", 0
    return canonical(value), "ok", inferences


def _first_kept(texts: list[str], config: PrototypeConfig, source: dict | None) -> tuple[dict | None, list[str]]:
    """The first sample whose program passes every check (and, with a ``source``, gives its verified answer)."""
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
        if source is not None:
            verdict = source_accepts(source, answer)
            if not verdict.ok:
                reasons.append("answer_mismatch")
                continue
        return {"program": program, "answer": answer, "inferences": inferences, "sample": index,
                "text": text}, reasons
    return None, reasons


def _count(stats: dict, prefix: str, reasons: list[str]) -> None:
    for reason in reasons:
        stats[f"{prefix}_{reason}"] = stats.get(f"{prefix}_{reason}", 0) + 1


def write_prototypes(client, problems: list[dict], config: PrototypeConfig = PrototypeConfig()):
    """``problems``: ``[{"id", "record"}]``, ``record`` the source record whose prompt is the problem and whose
    verified answer anchors the program. Returns (prototypes, rejects, stats); one batched model call per step
    (programs, then evolved variants). A request the server refuses rejects its problem; an unreachable server
    raises."""
    results = client.generate_each([prototype_prompt(p["record"]) for p in problems], n=config.samples,
                                   max_tokens=config.max_tokens, temperature=config.temperature, seed=config.seed)
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, ModelRequestError):
            raise result
    kept, rejects = [], []
    stats = {"problems": len(problems), "samples": len(problems) * config.samples}
    for problem, samples in zip(problems, results, strict=True):
        if isinstance(samples, Exception):
            rejects.append({"reason": "model_request_error", "detail": " ".join(str(samples).split())[:300],
                            "id": problem["id"]})
            continue
        found, reasons = _first_kept(samples, config, problem["record"])
        _count(stats, "sample", reasons)
        if found is None:
            rejects.append({"reason": "no_anchored_program", "detail": ", ".join(reasons), "id": problem["id"]})
            continue
        kept.append({"id": problem["id"], "problem": problem["record"]["prompt"], **found, "evolved": None,
                     "anchor": "source_answer"})
    if config.evolve and kept:
        prompts = [EVOLVE_PROMPT.replace("{problem}", p["problem"]).replace("{program}", p["program"]) for p in kept]
        evolved_results = client.generate_each(prompts, n=config.samples, max_tokens=config.max_tokens,
                                               temperature=config.temperature, seed=config.seed + 1)
        for prototype, samples in zip(kept, evolved_results, strict=True):
            if isinstance(samples, ModelRequestError):
                stats["evolve_model_request_error"] = stats.get("evolve_model_request_error", 0) + 1
                continue
            if isinstance(samples, Exception):
                raise samples
            found, reasons = _first_kept(samples, config, None)
            _count(stats, "evolve", reasons)
            if found is not None:
                found["problem"] = extract_problem(found["text"])
                found["anchor"] = "evolved"
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
              "evolved": evolved, "inferences": source["inferences"], "model_written": True,
              "anchor": source.get("anchor", "source_answer")},
        provenance={"generator": "llm/prototypes", "generator_version": "1"})
