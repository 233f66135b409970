"""Render the dataset card (the Hub README) from a build manifest. Never hand-edited.

The YAML front matter declares one Hub config per (export, family) with its splits and files, plus ``sft`` and
``rl`` across all families; ``sft`` is the default config, so ``datasets.load_dataset(<build folder or repo>)``
loads it and ``load_dataset(<...>, "<export>-<family>")`` the rest, on the local folder and on the Hub.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from reasonry.answers import answer_instruction
from reasonry.storage import join, write_bytes
from reasonry.tables import EXPORT_SCHEMAS, RECORD_SCHEMA, REJECT_SCHEMA

SOURCES = {
    "tail": ("Turing-machine-imitation traces", "TAIL"),
    "prolog": ("Prolog prototypes checked by SWI-Prolog", "ProtoReasoning"),
    "pddl": ("PDDL planning prototypes solved by Fast Downward", "ProtoReasoning"),
    "mcts": ("Monte-Carlo-tree-search traces with reflection and backtracking, step preferences", "ASTRO, CPL"),
    "webqa": ("Question/answer pairs crawled from the web", "General-Reasoner"),
}

# The papers each source follows (arXiv identifiers), cited in the card for the families a build has.
CITATIONS = {
    "TAIL": ("hua2025imitation", "The Imitation Game: Turing Machine Imitator is Length Generalizable Reasoner",
             "Zhouqi Hua and Wenwei Zhang and Chengqi Lyu and Yuzhe Gu and Songyang Gao and Kuikun Liu and "
             "Dahua Lin and Kai Chen", "2507.13332"),
    "ProtoReasoning": ("he2025protoreasoning",
                       "ProtoReasoning: Prototypes as the Foundation for Generalizable Reasoning in LLMs",
                       "Feng He and Zijun Chen and Xinnian Liang and Tingting Ma and Yunqi Qiu and Shuangzhi Wu "
                       "and Junchi Yan", "2506.15211"),
    "ASTRO": ("kim2025astro", "ASTRO: Teaching Language Models to Reason by Reflecting and Backtracking In-Context",
              "Joongwon Kim and Anirudh Goyal and Liang Tan and Hannaneh Hajishirzi and Srinivasan Iyer and "
              "Tianlu Wang", "2507.00417"),
    "CPL": ("wang2024cpl", "CPL: Critical Plan Step Learning Boosts LLM Generalization in Reasoning Tasks",
            "Tianlong Wang and Junzhe Chen and Xueting Han and Jing Bai", "2409.08642"),
    "General-Reasoner": ("ma2025generalreasoner", "General-Reasoner: Advancing LLM Reasoning Across All Domains",
                         "Xueguang Ma and Qian Liu and Dongfu Jiang and Ge Zhang and Zejun Ma and Wenhu Chen",
                         "2505.14652"),
}

# What every column of every export means: (column, type, meaning).
FIELDS = {
    "sft": [
        ("id", "string", "record id (content hash of family, task and problem)"),
        ("task", "string", "task name, e.g. `tail/lcs`"),
        ("length_bucket", "string or null", "`S`/`M`/`L` where the task has length ranges"),
        ("messages", "list of {role, content}", "TRL conversational format: the user's prompt, then the gold "
         "trace ending in exactly one `Final answer:` line"),
    ],
    "rl": [
        ("data_source", "string", "`reasonry/<task>`"),
        ("prompt", "list of {role, content}", "the user's prompt, ending with the answer-format instruction"),
        ("ability", "string", "`algorithmic`, `logic`, `planning`, `math` or `general`"),
        ("reward_model", "{style, ground_truth}", "`rule` and the reference answer"),
        ("extra_info.id", "string", "record id"),
        ("extra_info.task / split / length_bucket", "string", "as in the record"),
        ("extra_info.index", "int64", "unique per row (from the record id)"),
        ("extra_info.item_index", "int64", "the generator's item index (repeats across tasks and splits)"),
        ("extra_info.answer_type", "string", "how the reward extracts the answer from a reply"),
        ("extra_info.verifier", "string", "JSON `{kind, spec}`: everything the reward needs to check a reply"),
    ],
    "preference": [
        ("id", "string", "`<record id>-<pair number>`"),
        ("task", "string", "task name"),
        ("prompt", "list of {role, content}", "the problem as the user's message"),
        ("chosen", "list of {role, content}", "assistant message: the shared steps, then a step with Q > 0 and "
         "its continuation to a final answer that the step checker verifies"),
        ("rejected", "list of {role, content}", "assistant message: the same shared steps, then a sibling step "
         "with Q < 0 and its continuation to a wrong final answer"),
        ("branch_step", "int64", "the step number where chosen and rejected part (steps before it are shared)"),
        ("chosen_answer / rejected_answer", "string", "the final answers the two sides reach"),
        ("q_chosen / q_rejected", "float64", "MCTS Q values of the two branching steps, in [-1, 1]"),
    ],
    "preference_steps": [
        ("id", "string", "`<record id>-<pair number>`"),
        ("task", "string", "task name"),
        ("prompt", "string", "the problem and the shared steps, plain text ending with a newline"),
        ("chosen / rejected", "string", "one step each (Q > 0 against Q < 0)"),
        ("q_chosen / q_rejected", "float64", "MCTS Q values of the two steps"),
    ],
    "stepwise": [
        ("id", "string", "`<record id>-<path number>`"),
        ("task", "string", "task name"),
        ("prompt", "string", "the problem, plain text ending with a newline"),
        ("completions", "list of string", "the steps of one root path of the search tree (wrong paths and the "
         "correct one)"),
        ("labels", "list of bool", "the step checker's verdict: the path up to and including the step replays; "
         "every step after a wrong one is False"),
        ("q_values", "list of float64", "MCTS Q value of each step (a value estimate, not correctness)"),
    ],
    "records": [
        ("id, family, task, split, length_bucket", "string", "identity and placement of the item"),
        ("prompt / answer / answer_type", "string", "the question as posed, the reference answer and its type"),
        ("trace", "string or null", "gold chain of thought"),
        ("verifier", "string", "JSON `{kind, spec}` that checks any candidate answer offline"),
        ("difficulty", "string", "JSON: generator size knobs; after sampling, `pass_rate` and `bucket`"),
        ("rollouts", "list of {text, answer, correct, reason}", "model samples, where a model stage ran"),
        ("meta / provenance", "string", "JSON: source facts (template, search statistics, preferences, step "
         "labels); generator name, version, seed and index"),
    ],
    "rejects": [
        ("task, split, length_bucket, index", "string/int64", "which planned item was dropped"),
        ("stage / reason / detail", "string", "where and why it was dropped"),
        ("id", "string or null", "record id, where a record existed"),
        ("record", "string or null", "the dropped record as JSON, where one existed"),
    ],
}

DEFAULT_CONFIG = "sft"
COMBINED = ("sft", "rl")  # exports that also get one config across all families


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return label
    return "n>10M"


# Local builds keep the layout ``<export>/<family>/<split>-XXXXX-of-YYYYY.parquet``; on the Hub every
# (export, family) is one dataset config under ``data/<config>/``. Rejects are a config too, split "rejected".
LAYOUTS = ("local", "hub")
REJECTED = "rejected"


def split_of(path: str) -> str:
    prefix = Path(path).name.split("-", 1)[0]
    return REJECTED if prefix == "part" else prefix


def hub_path(local: str) -> str:
    """Where a build file goes in the Hub repository."""
    export, family, name = Path(local).parts
    if name.startswith("part-"):
        name = REJECTED + name[len("part"):]
    return f"data/{export}-{family}/{name}"


def _combined_configs(manifest: dict, layout: str) -> list[dict]:
    """``sft`` and ``rl`` across every family: one data_files pattern per split over all family folders."""
    configs = []
    for export in COMBINED:
        families = manifest["files"].get(export)
        if not families:
            continue
        splits = sorted({split_of(f) for files in families.values() for f in files})
        pattern = "{export}/*/{split}-*.parquet" if layout == "local" else "data/{export}-*/{split}-*.parquet"
        configs.append({"config_name": export,
                        "data_files": [{"split": split, "path": pattern.format(export=export, split=split)}
                                       for split in splits]})
    return configs


def hub_configs(manifest: dict, layout: str = "local") -> list[dict]:
    """``sft`` and ``rl`` across families (``sft`` the default, else the first config), then one config per
    (export, family), with a data_files pattern per split that matches exactly its files."""
    configs = _combined_configs(manifest, layout) + _family_configs(manifest, layout)
    names = [c["config_name"] for c in configs]
    default = DEFAULT_CONFIG if DEFAULT_CONFIG in names else (names[0] if names else None)
    for config in configs:
        if config["config_name"] == default:
            config["default"] = True
    return configs


def _family_configs(manifest: dict, layout: str) -> list[dict]:
    configs = []
    for export, families in sorted(manifest["files"].items()):
        for family, files in sorted(families.items()):
            name = f"{export}-{family}"
            splits = sorted({split_of(f) for f in files})
            data_files = []
            for split in splits:
                prefix = "part" if split == REJECTED else split
                if layout == "local":
                    path = f"{export}/{family}/{prefix}-*.parquet"
                else:
                    path = f"data/{name}/{split}-*.parquet"
                data_files.append({"split": split, "path": path})
            configs.append({"config_name": name, "data_files": data_files})
    return configs


def _feature(name: str, arrow_type) -> dict:
    import pyarrow as pa

    if pa.types.is_list(arrow_type):
        inner = arrow_type.value_type
        if pa.types.is_struct(inner):
            return {"name": name, "list": [_feature(f.name, f.type) for f in inner]}
        return {"name": name, "list": _DTYPES[str(inner)]}
    if pa.types.is_struct(arrow_type):
        return {"name": name, "struct": [_feature(f.name, f.type) for f in arrow_type]}
    return {"name": name, "dtype": _DTYPES[str(arrow_type)]}


_DTYPES = {"string": "string", "int64": "int64", "double": "float64", "bool": "bool"}


def hub_features(schema) -> list[dict]:
    """The Hub's YAML ``features`` of one of our fixed Arrow schemas. Written here rather than through
    ``datasets.Features``, whose import alone costs a rebuild most of a second; a test checks both agree."""
    return [_feature(f.name, f.type) for f in schema]


def dataset_infos(manifest: dict) -> list[dict]:
    """Hub ``dataset_info``: features from the fixed Arrow schemas, and row counts per split."""
    schemas = {**EXPORT_SCHEMAS, "records": RECORD_SCHEMA, "rejects": REJECT_SCHEMA}

    def info(name: str, export: str, files: dict[str, int]) -> dict:
        rows: dict[str, int] = {}
        sizes: dict[str, int] = {}
        for path, n in files.items():
            split = split_of(path)
            rows[split] = rows.get(split, 0) + n
            sizes[split] = sizes.get(split, 0) + manifest.get("file_bytes", {}).get(path, 0)
        return {"config_name": name, "features": hub_features(schemas[export]),
                "splits": [{"name": k, "num_bytes": sizes[k], "num_examples": v} for k, v in sorted(rows.items())],
                "dataset_size": sum(sizes.values())}

    infos = [info(export, export, {p: n for files in manifest["files"][export].values() for p, n in files.items()})
             for export in COMBINED if manifest["files"].get(export)]
    for export, families in sorted(manifest["files"].items()):
        for family, files in sorted(families.items()):
            infos.append(info(f"{export}-{family}", export, files))
    return infos


def front_matter(manifest: dict, layout: str = "local") -> dict:
    kept = sum(t["kept"] for t in manifest["tasks"].values())
    families = sorted({name.split("/", 1)[0] for name in manifest["tasks"]})
    return {
        "license": "apache-2.0",
        "language": ["en"],
        "pretty_name": f"reasonry {manifest['build']['name']}",
        "task_categories": ["text-generation", "question-answering"],
        "size_categories": [_size_category(kept)],
        "tags": ["reasoning", "chain-of-thought", "synthetic", "verified", *families],
        "configs": hub_configs(manifest, layout),
        "dataset_info": dataset_infos(manifest),
    }


def _table(rows: list[list], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


PLACEHOLDER_REPO = "ORG/NAME"


def repo_of(manifest: dict, repo_id: str | None = None) -> str | None:
    """The Hub repository the card describes: the one being published to, else the build config's target."""
    if repo_id:
        return repo_id
    config = manifest.get("config") or {}
    publish = config.get("publish") or (config.get("stages") or {}).get("publish") or {}
    return publish.get("repo") if isinstance(publish, dict) else None


def _citations(families: list[str]) -> list[str]:
    papers = []
    for family in families:
        for paper in SOURCES.get(family, ("", ""))[1].split(", "):
            if paper in CITATIONS and paper not in papers:
                papers.append(paper)
    out = []
    for paper in papers:
        key, title, authors, arxiv = CITATIONS[paper]
        out.append(f"@article{{{key},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
                   f"  journal = {{arXiv preprint arXiv:{arxiv}}},\n  year = {{20{arxiv[:2]}}}\n}}")
    return out


def _asset(manifest: dict, name: str) -> str | None:
    return name if name in manifest.get("assets", []) else None


def render_card(manifest: dict, layout: str = "local", repo_id: str | None = None) -> str:
    """The card. ``repo_id`` is the Hub repository it is published to (``publish`` passes it); without one the
    build config's publish target is used, else the loading examples say ORG/NAME."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout is one of {LAYOUTS}, got {layout!r}")
    repo = repo_of(manifest, repo_id)
    shown = repo or PLACEHOLDER_REPO
    fm = yaml.safe_dump(front_matter(manifest, layout), sort_keys=False, allow_unicode=True)
    build = manifest["build"]
    configs = hub_configs(manifest)
    names = [c["config_name"] for c in configs]
    default = next((c["config_name"] for c in configs if c.get("default")), None)
    out = [f"---\n{fm}---\n", f"# reasonry build `{build['name']}`\n",
           "Verified reasoning data: every answer below was checked by an interpreter before it was kept.\n"]
    families = sorted({name.split("/", 1)[0] for name in manifest["tasks"]})
    out.append("## Loading\n")
    out.append("```python\nfrom datasets import load_dataset\n")
    if default:
        out.append(f'ds = load_dataset("{shown}")  # the default config, `{default}`')
    for name in ("sft", "rl"):
        if name in names and name != default:
            out.append(f'ds = load_dataset("{shown}", "{name}")')
    family_configs = [n for n in names if n not in COMBINED]
    if family_configs:
        out.append(f'ds = load_dataset("{shown}", "{family_configs[0]}")  # one export of one family')
    out.append("```\n")
    if not repo:
        out.append(f"`{PLACEHOLDER_REPO}` stands for the Hub repository this card is published to; the build "
                   "folder itself loads the same way.\n")
    out.append("Configs: " + ", ".join(f"`{n}`" for n in names) + ". `sft` and `rl` hold every family; "
               "`<export>-<family>` one family.\n")
    out.append("## Sources\n")
    for family in families:
        what, paper = SOURCES.get(family, (family, ""))
        out.append(f"- **{family}**: {what} (following {paper}).")
    out.append("\n## Tasks\n")
    rows = []
    for name, t in manifest["tasks"].items():
        dropped = ", ".join(f"{k}: {v}" for k, v in t["dropped"].items()) or "-"
        rows.append([f"`{name}`", t["planned"], t["generated"], t["kept"], dropped])
    out.append(_table(rows, ["task", "planned", "generated", "kept", "dropped by reason"]))
    for asset, alt in (("assets/counts.png", "Items per task, split and length bucket"),
                       ("assets/drops.png", "Dropped items by reason")):
        if _asset(manifest, asset):
            out.append(f"\n![{alt}]({asset})\n")
    out.append("\n### Length buckets and trace lengths (characters)\n")
    rows = []
    for name, t in manifest["tasks"].items():
        for bucket, b in t["buckets"].items():
            tc = b["trace_chars"]
            ex = b.get("example") or {}
            question = " ".join(ex.get("prompt", "").split())
            question = question if len(question) <= 80 else question[:80] + " ..."
            rows.append([f"`{name}`", bucket, b["count"], tc.get("p50", "-"), tc.get("p90", "-"), tc.get("max", "-"),
                         question.replace("|", "\\|")])
    out.append(_table(rows, ["task", "split/bucket", "count", "p50", "p90", "max", "example question"]))
    for asset in manifest.get("assets", []):
        if "trace_lengths_" in asset:
            family = asset.rsplit("_", 1)[1].removesuffix(".png")
            out.append(f"\n![Trace lengths of {family}, train and test apart, by length bucket]({asset})\n")
        if asset.endswith("difficulty_levels.png"):
            out.append(f"\n![Items per difficulty level]({asset})\n")
    sampled = {name: t["pass_rate_histogram"] for name, t in manifest["tasks"].items()
               if t.get("pass_rate_histogram")}
    if sampled:
        out.append("\n### Model pass rates (self-consistency)\n")
        rows = [[f"`{name}`", *hist] for name, hist in sampled.items()]
        out.append(_table(rows, ["task", *[f"{b / 10:.1f}" for b in range(10)]]))
        if _asset(manifest, "assets/pass_rates.png"):
            out.append("\n![Pass-rate histogram](assets/pass_rates.png)\n")
    out.append("\n## Fields\n")
    exports = [e for e in FIELDS if e in manifest["files"]]
    for export in exports:
        out.append(f"### `{export}`\n")
        out.append(_table([[f"`{c}`", t, m] for c, t, m in FIELDS[export]], ["column", "type", "meaning"]) + "\n")
    out.append("RL prompts end with the answer-format instruction, e.g. "
               f"`{answer_instruction('integer')}` (JSON and plan answers follow the marker on the next lines); a "
               "reply that states two different final answers scores 0.\n")
    if "preference_steps" in manifest["files"]:
        out.append("`preference_steps` rows are plain text with one step per side. Trainers such as TRL's "
                   "DPOTrainer append end-of-sequence to plain-text completions, so training on them teaches the "
                   "model to stop after one step; use them with a step-level objective (Step-APO), or use "
                   "`preference`, whose sides run to a final answer.\n")
    out.append("## Rewards\n")
    out.append("Score a model's reply on an `rl` row with the verifier that built it: 1.0 if the final answer "
               "verifies, else 0.0. The reward module installs without the pipeline (no Beam, no pinned "
               "pyarrow or torch):\n")
    out.append("```bash\npip install reasonry   # registry, verifiers, rewards; the pipeline is reasonry[pipeline]\n"
               "apt-get install swi-prolog-nox   # only for prolog rows\n```\n")
    out.append("```python\nfrom reasonry.rewards import compute_score, trl_reward, reward_func\n"
               "# verl: custom_reward_function.path=<site-packages>/reasonry/rewards.py, name=compute_score\n"
               "compute_score(data_source=row['data_source'], solution_str=reply,\n"
               "              ground_truth=row['reward_model']['ground_truth'], extra_info=row['extra_info'])\n"
               "# TRL: GRPOTrainer(reward_funcs=[trl_reward]) reads the extra_info column\n"
               "# OpenRLHF: reward_func(queries, prompts, labels) with labels = extra_info\n```\n")
    out.append("A missing dependency raises an error naming the package and its install line; any other "
               "failure to score is logged and counted (`reasonry.rewards.scoring_errors()`), never a silent 0.\n")
    out.append("## Intended use\n")
    out.append("- Supervised fine-tuning on verified chains of thought (`sft`), reinforcement learning with "
               "verifiable rewards (`rl` with `reasonry.rewards`), preference optimisation (`preference`) and "
               "process reward models (`stepwise`).\n- Studying length generalisation: train on `S`, evaluate "
               "on the `test` split's `S`, `M` and `L` buckets.\n")
    out.append("## Limitations\n")
    limits = ["Synthetic data: problems come from generators and templates, not from people; the prose around "
              "the checked steps is templated."]
    if "tail" in families:
        limits.append("TAIL `test` buckets `M` and `L` are longer than anything in `train` on purpose "
                      "(length-generalisation buckets); do not mix them into training data.")
    if "mcts" in families:
        limits.append("ASTRO traces (`mcts/*/astro`) contain deliberate wrong steps on abandoned branches, "
                      "followed by a reflection and a backtrack; only the final path is sound. Step labels and "
                      "Q values come from small symbolic searches, not from a model.")
    if "webqa" in families:
        limits.append("Web Q&A answers are as written on the crawled pages; their checks are only as good as "
                      "the answer typing.")
    limits.append("Every answer is checked programmatically; where several answers are right (plans, "
                  "expressions) the verifier accepts any, but `reward_model.ground_truth` holds only one.")
    out.append("\n".join(f"- {x}" for x in limits) + "\n")
    citations = _citations(families)
    if citations:
        out.append("## Citations\n")
        out.append("The sources follow these papers:\n")
        out.append("```bibtex\n" + "\n\n".join(citations) + "\n```\n")
    out.append("## Examples\n")
    for name, t in manifest["tasks"].items():
        ex = t.get("example")
        if not ex:
            continue
        out.append(f"### `{name}`\n\n**Prompt**\n\n```\n{ex['prompt']}\n```\n\n**Answer**: `{ex['answer']}`\n")
        if ex["trace"]:
            out.append(f"<details><summary>Gold trace</summary>\n\n```\n{ex['trace']}\n```\n</details>\n")
    out.append("## Reproducibility\n")
    out.append(f"- seed: `{build['seed']}`, config hash: `{build['config_hash']}`, build id: `{build['build_id']}`")
    out.append(f"- git commit: `{manifest.get('git_commit')}`")
    out.append("- packages: " + ", ".join(f"{k} {v}" for k, v in manifest["versions"].items()))
    config = manifest["config"]
    out.append("\n<details><summary>Resolved config</summary>\n\n```json\n"
               + json.dumps(config, indent=2) + "\n```\n</details>\n")
    return "\n".join(out) + "\n"


def write_card(root: str | Path, manifest: dict, layout: str = "local") -> str:
    path = join(root, "README.md")
    write_bytes(path, render_card(manifest, layout).encode("utf-8"))
    return path
