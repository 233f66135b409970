"""MCTS tasks: name -> description. Import-free so listing tasks is instant; the task classes come from
``tasks.variant`` (an environment's task class bound to a mode)."""

TASKS: dict[str, str] = {
    "mcts/countdown/astro": "Countdown search tree as a trace with backtracking (ASTRO)",
    "mcts/countdown/direct": "Countdown: the verified search path alone",
    "mcts/equation/astro": "linear equations, sympy-checked steps, with backtracking (ASTRO)",
    "mcts/equation/direct": "linear equations: the verified search path alone",
    "mcts/addition/astro": "column addition in TAIL states, with backtracking (ASTRO)",
    "mcts/addition/direct": "column addition in TAIL states: the verified path alone",
}
VARIANTS = "reasonry.generators.mcts.tasks:variant"
