"""Render the dataset card (the Hub README) from a build manifest. Never hand-edited.

The YAML front matter declares one Hub config per (export, family) with its splits and files, so
``datasets.load_dataset(<build folder>, "<export>-<family>")`` works on the local folder and on the Hub.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from reasonry.exports import RL_INSTRUCTION

SOURCES = {
    "tail": ("Turing-machine-imitation traces", "TAIL: The Imitation Game: Turing Machine Imitator is Length "
             "Generalizable Reasoner"),
    "prolog": ("Prolog prototypes checked by SWI-Prolog", "ProtoReasoning"),
    "pddl": ("PDDL planning prototypes solved by Fast Downward", "ProtoReasoning"),
    "mcts": ("Monte-Carlo-tree-search traces with reflection and backtracking, step preferences", "ASTRO, CPL"),
    "webqa": ("Question/answer pairs crawled from the web", "General-Reasoner"),
}


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


def hub_configs(manifest: dict, layout: str = "local") -> list[dict]:
    """One config per (export, family), with a data_files pattern per split that matches exactly its files."""
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
    from reasonry.tables import EXPORT_SCHEMAS, RECORD_SCHEMA, REJECT_SCHEMA

    schemas = {**EXPORT_SCHEMAS, "records": RECORD_SCHEMA, "rejects": REJECT_SCHEMA}
    infos = []
    for export, families in sorted(manifest["files"].items()):
        features = hub_features(schemas[export])
        for family, files in sorted(families.items()):
            rows: dict[str, int] = {}
            sizes: dict[str, int] = {}
            for path, n in files.items():
                split = split_of(path)
                rows[split] = rows.get(split, 0) + n
                sizes[split] = sizes.get(split, 0) + manifest.get("file_bytes", {}).get(path, 0)
            infos.append({"config_name": f"{export}-{family}", "features": features,
                          "splits": [{"name": k, "num_bytes": sizes[k], "num_examples": v}
                                     for k, v in sorted(rows.items())],
                          "dataset_size": sum(sizes.values())})
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


def render_card(manifest: dict, layout: str = "local") -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"layout is one of {LAYOUTS}, got {layout!r}")
    fm = yaml.safe_dump(front_matter(manifest, layout), sort_keys=False, allow_unicode=True)
    build = manifest["build"]
    out = [f"---\n{fm}---\n", f"# reasonry build `{build['name']}`\n",
           "Verified reasoning data: every answer below was checked by an interpreter before it was kept.\n"]
    families = sorted({name.split("/", 1)[0] for name in manifest["tasks"]})
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
            out.append(f"\n![Trace lengths of {family}]({asset})\n")
        if asset.endswith("difficulty_levels.png"):
            out.append(f"\n![Items per difficulty level]({asset})\n")
    sampled = {name: t["pass_rate_histogram"] for name, t in manifest["tasks"].items()
               if t.get("pass_rate_histogram")}
    if sampled:
        out.append("\n### Model pass rates (self-consistency)\n")
        rows = [[f"`{name}`", *hist] for name, hist in sampled.items()]
        out.append(_table(rows, ["task", *[f"{b / 10:.1f}" for b in range(10)]]))
        if "assets/pass_rates.png" in manifest.get("assets", []):
            out.append("\n![Pass-rate histogram](assets/pass_rates.png)\n")
    out.append("\n## Loading\n")
    out.append("```python\nfrom datasets import load_dataset\n")
    for cfg in hub_configs(manifest)[:4]:
        out.append(f'ds = load_dataset("ORG/NAME", "{cfg["config_name"]}")')
    out.append("```\n")
    out.append("Configs: " + ", ".join(f"`{c['config_name']}`" for c in hub_configs(manifest)) + ".\n")
    out.append("`sft-*` rows hold TRL conversational `messages`; `rl-*` rows hold verl's `data_source`, `prompt`, "
               "`ability`, `reward_model` and `extra_info` (with the record's `verifier`, so rewards are computed "
               f"by the same checker that built the data). RL prompts end with: `{RL_INSTRUCTION.strip()}`\n")
    out.append("## Rewards\n")
    out.append("Score a model's reply on an `rl-*` row with the verifier that built it (1.0 if the final answer "
               "verifies, else 0.0; an unparsable reply scores 0):\n")
    out.append("```python\nfrom reasonry.rewards import compute_score, trl_reward, reward_func\n"
               "# verl: custom_reward_function.path=<site-packages>/reasonry/rewards.py, name=compute_score\n"
               "compute_score(row['data_source'], reply, row['reward_model']['ground_truth'], row['extra_info'])\n"
               "# TRL GRPOTrainer(reward_funcs=[trl_reward]) reads the extra_info column\n"
               "# OpenRLHF: reward_func(queries, prompts, labels) with labels = extra_info\n```\n")
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
    from reasonry.storage import join, write_bytes

    path = join(root, "README.md")
    write_bytes(path, render_card(manifest, layout).encode("utf-8"))
    return path
