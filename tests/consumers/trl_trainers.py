"""TRL's SFT, GRPO and DPO trainers on a reasonry build, the way a user runs them: ``load_dataset`` on the build
and ``reasonry.rewards``, no conversion code. Run in the TRL venv (trl + CPU torch + the light install):

    python trl_trainers.py BUILD MODEL REPLIES.json WORK_DIR REPORT.json

REPLIES maps a record id to a gold reply and a corrupted one. Inside each GRPO step the reward function scores
them with the very arguments TRL passed for the batch, so the report shows what the trainer's reward saw.
"""

from __future__ import annotations

import json
import sys
import time

from datasets import load_dataset
from transformers import AutoTokenizer
from trl import DPOConfig, DPOTrainer, GRPOConfig, GRPOTrainer, SFTConfig, SFTTrainer

from reasonry import rewards

BUILD, MODEL, REPLIES, WORK, REPORT = sys.argv[1:6]
replies = json.loads(open(REPLIES).read())
tokenizer = AutoTokenizer.from_pretrained(MODEL)
COMMON = dict(max_steps=2, per_device_train_batch_size=2, report_to="none", save_strategy="no", use_cpu=True,
              logging_steps=1, seed=0, dataloader_num_workers=0)
report: dict = {}


def timed(name, trainer):
    start = time.perf_counter()
    result = trainer.train()
    report[name] = {"steps": trainer.state.global_step, "loss": result.training_loss,
                    "seconds": round(time.perf_counter() - start, 2)}


# SFT on the default config: load_dataset(BUILD) with no config name
sft = load_dataset(BUILD, split="train")
report["sft_columns"] = sft.column_names
timed("sft", SFTTrainer(model=MODEL, processing_class=tokenizer, train_dataset=sft,
                        args=SFTConfig(output_dir=f"{WORK}/sft", max_length=256, **COMMON)))

# GRPO on the combined rl config with reasonry's reward
rl = load_dataset(BUILD, "rl", split="train").shuffle(seed=0)
steps: list[dict] = []


def reasonry_reward(prompts, completions, extra_info, **kwargs):
    ids = [info["id"] for info in extra_info]
    as_messages = [[{"role": "assistant", "content": replies[i][kind]}] for kind in ("gold", "wrong") for i in ids]
    checked = rewards.trl_reward(prompts * 2, as_messages, extra_info=extra_info * 2, **kwargs)
    actual = rewards.trl_reward(prompts, completions, extra_info=extra_info, **kwargs)
    steps.append({"tasks": [info["task"] for info in extra_info], "gold": checked[:len(ids)],
                  "wrong": checked[len(ids):], "actual": actual, "kwargs": sorted(kwargs)})
    return actual


timed("grpo", GRPOTrainer(model=MODEL, processing_class=tokenizer, reward_funcs=[reasonry_reward], train_dataset=rl,
                          args=GRPOConfig(output_dir=f"{WORK}/grpo", num_generations=2, max_completion_length=8,
                                          **{**COMMON, "per_device_train_batch_size": 8})))
report["grpo_reward_calls"] = steps
report["scoring_errors"] = rewards.scoring_errors()

# DPO on the conversational preference pairs
pairs = load_dataset(BUILD, "preference-mcts", split="train")
report["dpo_columns"] = pairs.column_names
timed("dpo", DPOTrainer(model=MODEL, processing_class=tokenizer, train_dataset=pairs,
                        args=DPOConfig(output_dir=f"{WORK}/dpo", max_length=256, **COMMON)))

open(REPORT, "w").write(json.dumps(report, indent=1))
