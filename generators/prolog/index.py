"""Prolog prototype tasks: name -> description, two modes per family. Import-free so listing tasks is instant;
the task classes come from ``common.variant`` (a mode bound to the family module's ``FAMILY``)."""

FAMILIES: dict[str, tuple[str, str]] = {
    # family -> (module, what the problem is)
    "nqueens": ("nqueens", "N-queens with blocked squares (CLP(FD))"),
    "graph_coloring": ("coloring", "graph colouring with pre-coloured nodes (CLP(FD))"),
    "sudoku": ("sudoku", "mini Sudoku and diagonal Sudoku grids (CLP(FD))"),
    "cryptarithm": ("cryptarithm", "cryptarithms: word sums with distinct digits (CLP(FD))"),
    "scheduling": ("scheduling", "minimum-makespan scheduling with precedences (CLP(FD))"),
    "shortest_path": ("shortest_path", "shortest paths and their number in weighted digraphs"),
    "kinship": ("kinship", "kinship deduction over generated family trees"),
    "knights_knaves": ("knights", "knights and knaves"),
    "list_recursion": ("list_recursion", "pipelines of recursive list predicates"),
    "syllogism": ("syllogism", "syllogism chains (All / No / Some)"),
    "zebra": ("zebra", "zebra-style assignment puzzles (CLP(FD))"),
}
_MODES = {
    "execution": "predict the JSON the Prolog program prints",
    "solve": "solve the problem stated in English",
}

TASKS: dict[str, str] = {
    f"prolog/{family}/{mode}": f"{what}: {text}"
    for family, (_, what) in FAMILIES.items()
    for mode, text in _MODES.items()
}
VARIANTS = "reasonry.generators.prolog.common:variant"
