"""The model policy against the real vLLM CPU server (``tests/vllm_server.py``): one batched model request per
search round, however many trees run.

The model is the fixture's tiny random Llama, so its text is noise. To let that noise drive real multi-round
searches, ``FreeTextEnv`` accepts any non-empty line as a step, the way a
word-problem environment takes its steps from the model; its terminal reward is a fixed rule on the text. The
client is the real ``ModelClient`` over HTTP; ``CountingClient`` only wraps it to count ``generate`` calls
and the prompts in each.
"""

from __future__ import annotations

import random

import pytest

from reasonry.generators.mcts.countdown import CountdownEnv
from reasonry.generators.mcts.free_text import FreeTextEnv
from reasonry.generators.mcts.policy import ModelPolicy
from reasonry.generators.mcts.search import Budget, search_many

pytestmark = pytest.mark.slow


class CountingClient:
    """The real client, with a count of batched calls and of the prompts in each."""

    def __init__(self, client):
        self.client = client
        self.calls: list[int] = []

    def generate(self, prompts, **kwargs):
        self.calls.append(len(prompts))
        return self.client.generate(prompts, **kwargs)


def _client(vllm_server):
    from reasonry.models.client import ModelClient

    return ModelClient(vllm_server.client_config())


BUDGET = Budget(iterations=3, max_depth=2, branching=2, rollouts_per_child=1)
TOPICS = ["rivers", "stars", "bread", "clocks", "maps", "bees"]


def test_one_model_request_per_round_for_all_trees(vllm_server):
    client = CountingClient(_client(vllm_server))
    policy = ModelPolicy(client, max_tokens=8)
    envs = [FreeTextEnv(t) for t in TOPICS]
    run = search_many(envs, [random.Random(i) for i in range(len(envs))], policy, BUDGET)
    # one generate call per round, never more
    assert len(client.calls) == run.rounds == policy.calls
    # the first round asks for every tree's root expansion in one request
    assert client.calls[0] == len(envs)
    assert sum(client.calls) == run.proposals_asked
    # the searches did run several rounds on the model's text
    assert run.rounds >= 3
    assert all(len(t.nodes) > 1 for t in run.trees)

    # one tree at a time needs a request per round per tree
    alone_calls = 0
    for i, env in enumerate(envs):
        single = CountingClient(client.client)
        search_many([env], [random.Random(i)], ModelPolicy(single, max_tokens=8), BUDGET)
        alone_calls += len(single.calls)
    assert alone_calls >= 3 * run.rounds


def test_model_policy_on_countdown_with_the_real_server(vllm_server):
    """Real environment, real model: invalid completions are dropped (dead ends), never a crash, and the
    request count is still one per round."""
    client = CountingClient(_client(vllm_server))
    policy = ModelPolicy(client, max_tokens=12)
    envs = [CountdownEnv((3, 7, 8, 2), 26), CountdownEnv((4, 5, 6, 1), 31)]
    run = search_many(envs, [random.Random(0), random.Random(1)], policy, BUDGET)
    assert len(client.calls) == run.rounds >= 1
    assert client.calls[0] == 2
    assert policy.invalid + sum(len(t.nodes) - 1 for t in run.trees) >= 2 * BUDGET.branching
