"""prolog/sudoku: fill a small Sudoku-like grid (rows, columns and boxes hold distinct values; CLP(FD)).

Evolution: 0 = 4x4 grids with 2x2 boxes; 1 = 6x6 grids with 2x3 boxes; 2 = 6x6 grids whose two main
diagonals must also hold distinct values (givens taken from a plain Sudoku, so some have no solution). The
answer is the first completion in search order (row by row, smallest value first).

Box shapes per evolution are in ``boxes`` (up to 3x3, i.e. 9x9 grids). With ``unique`` the givens are not a
random share: cells are emptied one by one, in random order, while the puzzle keeps exactly one completion
(checked in Python while digging), until the drawn number of ``blanks`` is reached; the program then also counts
the completions, so SWI-Prolog itself confirms that there is exactly one. Random digging ends at a minimal
puzzle, which for a 9x9 grid has 54-59 blanks (median 56 in 30 draws; 17 givens, 64 blanks, is the proven
extreme), so the hardest level asks for 54-64 blanks and keeps what the digging reaches when it is at least 54.

Difficulty levels (``difficulty: N``): 1 = 4x4, 2 = 6x6, 3 = 6x6 diagonal, 4 = 9x9 unique with 40-45 blanks,
5 = 9x9 unique with 46-53 blanks, 6 = 9x9 unique with 54-64 blanks.
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
    level,
    one_solution,
    program,
)
from reasonry.levels import knob

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

MODEL_COUNT = MODEL.replace("""answer(_{grid: Rows}) :-
    grid(Rows),
    append(Rows, Cells),
    label(Cells).""", """answer(_{grid: Rows, solutions: Count}) :-
    grid(Rows),
    append(Rows, Cells),
    label(Cells),
    aggregate_all(count, (grid(Rs), append(Rs, Cs), label(Cs)), Count).""")

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


def count_completions(puzzle: list[list[int]], r: int, c: int, diagonal: bool, stop: int = 2) -> int:
    """Completions of ``puzzle`` (0 = empty), counted up to ``stop``: bit-set candidates, fewest first."""
    n = r * c
    full = (1 << (n + 1)) - 2
    units = []
    for i in range(n):
        units.append([(i, j) for j in range(n)])
        units.append([(j, i) for j in range(n)])
    for bi in range(0, n, r):
        for bj in range(0, n, c):
            units.append([(bi + a, bj + b) for a in range(r) for b in range(c)])
    if diagonal:
        units.append([(i, i) for i in range(n)])
        units.append([(i, n - 1 - i) for i in range(n)])
    peers: dict = {(i, j): set() for i in range(n) for j in range(n)}
    for unit in units:
        for cell in unit:
            peers[cell].update(unit)
    for cell in peers:
        peers[cell].discard(cell)
    grid = {(i, j): puzzle[i][j] for i in range(n) for j in range(n)}
    for cell, v in grid.items():
        if v and any(grid[p] == v for p in peers[cell]):
            return 0
    found = 0

    def search() -> None:
        nonlocal found
        best, best_mask, best_count = None, 0, n + 1
        for cell, v in grid.items():
            if v:
                continue
            used = 0
            for p in peers[cell]:
                used |= 1 << grid[p]
            mask = full & ~used
            k = bin(mask).count("1")
            if k < best_count:
                best, best_mask, best_count = cell, mask, k
                if k <= 1:
                    break
        if best is None:
            found += 1
            return
        for v in range(1, n + 1):
            if best_mask >> v & 1:
                grid[best] = v
                search()
                grid[best] = 0
                if found >= stop:
                    return

    search()
    return found


MAX_BLANKS = 64


@dataclass(frozen=True)
class SudokuConfig(PrologConfig):
    given_fraction: tuple[float, ...] = (0.45, 0.5, 0.5)
    boxes: tuple[tuple[int, int], ...] = knob(((2, 2), (2, 3), (2, 3)))  # box rows x columns per evolution
    unique: bool = knob(False)  # dig blanks while the completion stays unique (ignores given_fraction)
    blanks: tuple[int, int] = knob((0, 0))  # with ``unique``: [low, high] empty cells; high 0 = as many as possible

    def __post_init__(self):
        super().__post_init__()
        require(len(self.given_fraction) == 3, "given_fraction", "one fraction per evolution level (3)")
        for i, f in enumerate(self.given_fraction):
            require(0.0 <= f <= 1.0, f"given_fraction[{i}]", "must be in [0, 1]")
        require(len(self.boxes) == 3, "boxes", "one (rows, columns) box shape per evolution level (3)")
        for i, (r, c) in enumerate(self.boxes):
            require(1 <= r <= 3 and 1 <= c <= 3 and r * c >= 2, f"boxes[{i}]", "box sides in 1..3 (grids up to 9x9)")
        low, high = self.blanks
        require(0 <= low and (high == 0 or low <= high) and high <= MAX_BLANKS, "blanks",
                f"a range [low, high] of empty cells with high <= {MAX_BLANKS} (a 9x9 Sudoku with a unique "
                "completion has at least 17 givens)")


class Sudoku(PrologFamily):
    name = "sudoku"
    Config = SudokuConfig

    def build(self, config: SudokuConfig, rng: random.Random) -> Instance | None:
        r, c = config.boxes[config.evolution]
        n = r * c
        diagonal = config.evolution == 2
        full = diagonal_grid(rng, r, c) if diagonal else full_grid(rng, r, c)
        if full is None:
            return None
        cells = [(i, j) for i in range(n) for j in range(n)]
        if config.unique:
            puzzle = _dig(full, r, c, diagonal, config.blanks, rng)
            if puzzle is None:
                return None
            keep = {(i, j) for i, j in cells if puzzle[i][j]}
        else:
            keep = set(rng.sample(cells, round(config.given_fraction[config.evolution] * n * n)))
            puzzle = [[full[i][j] if (i, j) in keep else 0 for j in range(n)] for i in range(n)]
        rows = ",\n    ".join("[" + ", ".join(str(v) if v else "_" for v in row) + "]" for row in puzzle)
        facts = (f"puzzle([\n    {rows}\n]).\n\nbox_size({r}, {c}).\n\n"
                 + ("distinct_diagonals.\n" if diagonal else "distinct_diagonals :- fail.\n"))
        text = program(facts, MODEL_COUNT if config.unique else MODEL, clpfd=True)
        shown = "\n".join(" ".join(str(v) if v else "." for v in row) for row in puzzle)
        statement = (f"Fill the {n}x{n} grid below (dots are empty) with the numbers 1 to {n} so that every row, "
                     f"every column and every {r}x{c} box (boxes are {r} rows high and {c} columns wide) holds each "
                     "number once.")
        if diagonal:
            statement += " The two main diagonals must also hold each number once."
        if config.unique:
            statement += (" Also count the completions (a well-posed puzzle has exactly one)."
                          f"\n\n{shown}")
        else:
            statement += (" If several completions exist, give the one that is smallest when the cells are read "
                          f"row by row.\n\n{shown}")
        return Instance(
            problem={"puzzle": puzzle, "box": [r, c], "diagonal": diagonal},
            program=text,
            statement=statement,
            answer_format=('{"grid": [[row 1 values], [row 2 values], ...], "solutions": number of completions}.'
                           if config.unique else '{"grid": [[row 1 values], [row 2 values], ...]}.'),
            trace_addon=TRACE,
            render_trace=csp_renderer(lambda rc: f"the cell in row {rc[0]}, column {rc[1]}", str),
            difficulty={"size": n, "givens": len(keep), "diagonal": diagonal},
            check=one_solution if config.unique else None,
        )


def _dig(full: list[list[int]], r: int, c: int, diagonal: bool, blanks: tuple[int, int],
         rng: random.Random) -> list[list[int]] | None:
    """Empty cells of ``full`` in random order while the completion stays unique; None below ``blanks[0]``."""
    n = r * c
    low, high = blanks
    target = rng.randint(low, high) if high else n * n
    puzzle = [row[:] for row in full]
    cells = [(i, j) for i in range(n) for j in range(n)]
    rng.shuffle(cells)
    empty = 0
    for i, j in cells:
        if empty >= target:
            break
        value, puzzle[i][j] = puzzle[i][j], 0
        if count_completions(puzzle, r, c, diagonal) == 1:
            empty += 1
        else:
            puzzle[i][j] = value
    return puzzle if empty >= low else None


def _levels() -> tuple[dict, ...]:
    s = SudokuConfig
    nine = {"boxes": (3, 3)}
    return (
        level(s, 0),
        level(s, 1),
        level(s, 2),
        level(s, 1, each=nine, unique=True, blanks=(40, 45)),
        level(s, 1, each=nine, unique=True, blanks=(46, 53)),
        level(s, 1, each=nine, unique=True, blanks=(54, 64)),
    )


Sudoku.levels = _levels()
FAMILY = Sudoku
