"""MCTS tasks: name -> ("module:Class", description). Kept import-free so listing tasks is instant."""

_M = "reasonry.generators.mcts.tasks"

TASKS: dict[str, tuple[str, str]] = {
    "mcts/countdown/astro": (f"{_M}:CountdownAstro", "Countdown search tree as a trace with backtracking (ASTRO)"),
    "mcts/countdown/direct": (f"{_M}:CountdownDirect", "Countdown: the verified search path alone"),
    "mcts/equation/astro": (f"{_M}:EquationAstro", "linear equations, sympy-checked steps, with backtracking (ASTRO)"),
    "mcts/equation/direct": (f"{_M}:EquationDirect", "linear equations: the verified search path alone"),
    "mcts/addition/astro": (f"{_M}:AdditionAstro", "column addition in TAIL states, with backtracking (ASTRO)"),
    "mcts/addition/direct": (f"{_M}:AdditionDirect", "column addition in TAIL states: the verified path alone"),
}
