"""prolog/sudoku: fill a small Sudoku-like grid (rows, columns and boxes hold distinct values; CLP(FD)).

Evolution: 0 = 4x4 grids with 2x2 boxes; 1 = 6x6 grids with 2x3 boxes; 2 = 6x6 grids whose two main
diagonals must also hold distinct values (givens taken from a plain Sudoku, so some have no solution). The
answer is the first completion in search order (row by row, smallest value first).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.config import require
from reasonry.generators.prolog.common import (
    CSP_TRACE,
    Instance,
    PrologConfig,
    PrologFamily,
    csp_renderer,
    make_tasks,
    program,
)

MODEL = """
grid(Rows) :-
    puzzle(Rows),
    length(Rows, N),
    append(Rows, Cells),
    Cells ins 1..N,
    maplist(all_distinct, Rows),
    transpose(Rows, Columns),
    maplist(all_distinct, Columns),
    box_size(R, C),
    bands(Rows, R, C),
    diagonals(Rows).

bands([], _, _).
bands(Rows, R, C) :-
    length(Band, R),
    append(Band, Rest, Rows),
    band_boxes(Band, C),
    bands(Rest, R, C).

band_boxes([[]|_], _) :- !.
band_boxes(Band, C) :-
    maplist(split_at(C), Band, Heads, Tails),
    append(Heads, Box),
    all_distinct(Box),
    band_boxes(Tails, C).

split_at(C, Row, Head, Tail) :-
    length(Head, C),
    append(Head, Tail, Row).

diagonals(Rows) :-
    (   distinct_diagonals
    ->  length(Rows, N),
        numlist(1, N, Is),
        maplist([I, Row, X]>>nth1(I, Row, X), Is, Rows, Main),
        reverse(Rows, Flipped),
        maplist([I, Row, X]>>nth1(I, Row, X), Is, Flipped, Anti),
        all_distinct(Main),
        all_distinct(Anti)
    ;   true
    ).

answer(_{grid: Rows}) :-
    grid(Rows),
    append(Rows, Cells),
    label(Cells).
"""

TRACE = CSP_TRACE + """
trace_search :-
    grid(Rows),
    length(Rows, N),
    findall([R, C], (between(1, N, R), between(1, N, C)), Names),
    append(Rows, Cells),
    once(tlabel(Cells, Names)).
"""


def full_grid(rng: random.Random, r: int, c: int) -> list[list[int]]:
    """A random complete grid with r x c boxes: a base pattern with digits, rows and columns shuffled."""
    n = r * c
    base = [[(c * (i % r) + i // r + j) % n + 1 for j in range(n)] for i in range(n)]
    digits = list(range(1, n + 1))
    rng.shuffle(digits)
    bands = list(range(c))
    rng.shuffle(bands)
    rows = [b * r + i for b in bands for i in rng.sample(range(r), r)]
    stacks = list(range(r))
    rng.shuffle(stacks)
    cols = [s * c + j for s in stacks for j in rng.sample(range(c), c)]
    return [[digits[base[i][j] - 1] for j in cols] for i in rows]


def diagonal_grid(rng: random.Random, r: int, c: int) -> list[list[int]] | None:
    """A random complete grid whose main diagonals also hold distinct values (randomised backtracking)."""
    n = r * c
    grid = [[0] * n for _ in range(n)]

    def allowed(i: int, j: int) -> list[int]:
        used = set(grid[i]) | {grid[k][j] for k in range(n)}
        bi, bj = i - i % r, j - j % c
        used |= {grid[a][b] for a in range(bi, bi + r) for b in range(bj, bj + c)}
        if i == j:
            used |= {grid[k][k] for k in range(n)}
        if i + j == n - 1:
            used |= {grid[k][n - 1 - k] for k in range(n)}
        values = [v for v in range(1, n + 1) if v not in used]
        rng.shuffle(values)
        return values

    budget = [20000]

    def fill(pos: int) -> bool:
        if pos == n * n:
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        i, j = divmod(pos, n)
        for v in allowed(i, j):
            grid[i][j] = v
            if fill(pos + 1):
                return True
        grid[i][j] = 0
        return False

    return grid if fill(0) else None


@dataclass(frozen=True)
class SudokuConfig(PrologConfig):
    given_fraction: tuple[float, ...] = (0.45, 0.5, 0.5)

    def __post_init__(self):
        super().__post_init__()
        require(len(self.given_fraction) == 3, "given_fraction", "one fraction per evolution level (3)")
        for i, f in enumerate(self.given_fraction):
            require(0.0 <= f <= 1.0, f"given_fraction[{i}]", "must be in [0, 1]")


class Sudoku(PrologFamily):
    name = "sudoku"
    title = "mini Sudoku and diagonal Sudoku grids (CLP(FD))"
    Config = SudokuConfig

    def build(self, config: SudokuConfig, rng: random.Random) -> Instance | None:
        r, c = (2, 2) if config.evolution == 0 else (2, 3)
        n = r * c
        diagonal = config.evolution == 2
        full = diagonal_grid(rng, r, c) if diagonal else full_grid(rng, r, c)
        if full is None:
            return None
        cells = [(i, j) for i in range(n) for j in range(n)]
        keep = set(rng.sample(cells, round(config.given_fraction[config.evolution] * n * n)))
        puzzle = [[full[i][j] if (i, j) in keep else 0 for j in range(n)] for i in range(n)]
        rows = ",\n    ".join("[" + ", ".join(str(v) if v else "_" for v in row) + "]" for row in puzzle)
        facts = (f"puzzle([\n    {rows}\n]).\n\nbox_size({r}, {c}).\n\n"
                 + ("distinct_diagonals.\n" if diagonal else "distinct_diagonals :- fail.\n"))
        text = program(facts, MODEL, clpfd=True)
        shown = "\n".join(" ".join(str(v) if v else "." for v in row) for row in puzzle)
        statement = (f"Fill the {n}x{n} grid below (dots are empty) with the numbers 1 to {n} so that every row, "
                     f"every column and every {r}x{c} box (boxes are {r} rows high and {c} columns wide) holds each "
                     "number once.")
        if diagonal:
            statement += " The two main diagonals must also hold each number once."
        statement += (" If several completions exist, give the one that is smallest when the cells are read row "
                      f"by row.\n\n{shown}")
        return Instance(
            problem={"puzzle": puzzle, "box": [r, c], "diagonal": diagonal},
            program=text,
            statement=statement,
            answer_format='{"grid": [[row 1 values], [row 2 values], ...]}.',
            trace_addon=TRACE,
            render_trace=csp_renderer(lambda rc: f"the cell in row {rc[0]}, column {rc[1]}", str),
            difficulty={"size": n, "givens": len(keep), "diagonal": diagonal},
        )


SudokuExecution, SudokuSolve = make_tasks(Sudoku)
