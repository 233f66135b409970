"""Prolog prototype tasks: name -> ("module:Class", description). Import-free so listing tasks is instant."""

_M = "reasonry.generators.prolog"

_FAMILIES: dict[str, tuple[str, str, str]] = {
    # family -> (module, class prefix, what the problem is)
    "nqueens": ("nqueens", "NQueens", "N-queens with blocked squares (CLP(FD))"),
    "graph_coloring": ("coloring", "GraphColoring", "graph colouring with pre-coloured nodes (CLP(FD))"),
    "sudoku": ("sudoku", "Sudoku", "mini Sudoku and diagonal Sudoku grids (CLP(FD))"),
    "cryptarithm": ("cryptarithm", "Cryptarithm", "cryptarithms: word sums with distinct digits (CLP(FD))"),
    "scheduling": ("scheduling", "Scheduling", "minimum-makespan scheduling with precedences (CLP(FD))"),
    "shortest_path": ("shortest_path", "ShortestPath", "shortest paths and their number in weighted digraphs"),
    "kinship": ("kinship", "Kinship", "kinship deduction over generated family trees"),
    "knights_knaves": ("knights", "KnightsKnaves", "knights and knaves"),
    "list_recursion": ("list_recursion", "ListRecursion", "pipelines of recursive list predicates"),
    "syllogism": ("syllogism", "Syllogism", "syllogism chains (All / No / Some)"),
    "zebra": ("zebra", "Zebra", "zebra-style assignment puzzles (CLP(FD))"),
}

TASKS: dict[str, tuple[str, str]] = {}
for _family, (_module, _prefix, _what) in _FAMILIES.items():
    TASKS[f"prolog/{_family}/execution"] = (f"{_M}.{_module}:{_prefix}Execution",
                                            f"{_what}: predict the JSON the Prolog program prints")
    TASKS[f"prolog/{_family}/solve"] = (f"{_M}.{_module}:{_prefix}Solve",
                                        f"{_what}: solve the problem stated in English")
