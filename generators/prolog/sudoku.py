"""prolog/sudoku: fill a small Sudoku-like grid (rows, columns and boxes hold distinct values; CLP(FD)).

Evolution: 0 = 4x4 grids with 2x2 boxes; 1 = 6x6 grids with 2x3 boxes; 2 = 6x6 grids whose two main
diagonals must also hold distinct values (givens taken from a plain Sudoku, so some have no solution). The
answer is the first completion in search order (row by row, smallest value first).

Box shapes per evolution are in ``boxes`` (up to 3x3, i.e. 9x9 grids). With ``unique`` the givens are not a random
share: cells are emptied one by one, in random order, while the puzzle keeps exactly one completion (checked in
Python while digging), until the drawn number of ``blanks`` is reached; the program then also counts the
completions, so SWI-Prolog itself confirms that there is exactly one. Random digging ends at a minimal puzzle (no
single given can go), which for a 9x9 grid has 54-59 blanks (median 56 in 30 draws). Past that, ``swaps`` exchange
moves search on: one given is put back and every other one is tried for removal, so a move gains a blank, changes
the puzzle sideways, or is taken back. Measured on 14 random 9x9 grids: the best after 200 moves was 60-62 blanks
(62 on 1 of 8 grids, 61 on 5), after 500 moves 61-62 (62 on 5 of 6), never 63 or 64 (a grid takes 20-70 s for 200
moves on a loaded 2-core machine), so the hardest level asks for 59-62. 64 blanks (17 givens, the proven minimum)
exist only for a tiny share of full grids (about 49,000 essentially different 17-clue puzzles are known), which
digging a random grid does not find.

Difficulty levels (``difficulty: N``): 1 = 4x4, 2 = 6x6, 3 = 6x6 diagonal, 4 = 9x9 unique with 40-45 blanks,
5 = 9x9 unique with 46-53 blanks, 6 = 9x9 unique with 54-58 blanks (50 exchange moves at most), 7 = 9x9 unique
with 59-62 blanks (150 exchange moves at most).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=16)
def _layout(r: int, c: int, diagonal: bool) -> tuple[list[list[int]], list[tuple[int, ...]]]:
    """The units (rows, columns, boxes, diagonals) of an (r*c)^2 grid as flat cell indices, and each cell's units."""
    n = r * c
    units = [[i * n + j for j in range(n)] for i in range(n)] + [[j * n + i for j in range(n)] for i in range(n)]
    units += [[(bi + a) * n + bj + b for a in range(r) for b in range(c)]
              for bi in range(0, n, r) for bj in range(0, n, c)]
    if diagonal:
        units += [[i * n + i for i in range(n)], [i * n + n - 1 - i for i in range(n)]]
    of: list[list[int]] = [[] for _ in range(n * n)]
    for u, unit in enumerate(units):
        for cell in unit:
            of[cell].append(u)
    return units, [tuple(us) for us in of]


def count_completions(puzzle: list[list[int]], r: int, c: int, diagonal: bool, stop: int = 2) -> int:
    """Completions of ``puzzle`` (0 = empty), counted up to ``stop``: bit-set candidates per unit, branching on a
    hidden single (a value with one place left in a unit) or else on the cell with fewest candidates."""
    n = r * c
    units, of = _layout(r, c, diagonal)
    used = [0] * len(units)
    cells = [v for row in puzzle for v in row]
    for cell, v in enumerate(cells):
        if v:
            bit = 1 << v
            for u in of[cell]:
                if used[u] & bit:
                    return 0
                used[u] |= bit
    full = (1 << (n + 1)) - 2
    found = 0

    def search(empty: list[int]) -> None:
        nonlocal found
        if not empty:
            found += 1
            return
        masks = {}
        best, best_mask, best_k = -1, 0, n + 1
        for cell in empty:
            m = 0
            for u in of[cell]:
                m |= used[u]
            m = full & ~m
            if not m:
                return
            masks[cell] = m
            k = bin(m).count("1")
            if k < best_k:
                best, best_mask, best_k = cell, m, k
        if best_k > 1:
            for u, unit in enumerate(units):
                once = twice = 0
                for cell in unit:
                    m = masks.get(cell, 0)
                    twice |= once & m
                    once |= m
                need = full & ~used[u]
                if need & ~once:
                    return  # a value with no place left in this unit
                single = need & once & ~twice
                if single:
                    bit = single & -single
                    best, best_mask = next(x for x in unit if masks.get(x, 0) & bit), bit
                    break
        rest = [x for x in empty if x != best]
        own = of[best]
        while best_mask:
            bit = best_mask & -best_mask
            best_mask ^= bit
            for u in own:
                used[u] |= bit
            search(rest)
            for u in own:
                used[u] ^= bit
            if found >= stop:
                return

    search([cell for cell, v in enumerate(cells) if not v])
    return found


MAX_BLANKS = 64


@dataclass(frozen=True)
class SudokuConfig(PrologConfig):
    given_fraction: tuple[float, ...] = (0.45, 0.5, 0.5)
    boxes: tuple[tuple[int, int], ...] = knob(((2, 2), (2, 3), (2, 3)))  # box rows x columns per evolution
    unique: bool = knob(False)  # dig blanks while the completion stays unique (ignores given_fraction)
    blanks: tuple[int, int] = knob((0, 0))  # with ``unique``: [low, high] empty cells; high 0 = as many as possible
    swaps: int = knob(0)  # with ``unique``: exchange moves tried when random digging stops short of the blanks

    def __post_init__(self):
        super().__post_init__()
        require(len(self.given_fraction) == 3, "given_fraction", "one fraction per evolution level (3)")
        for i, f in enumerate(self.given_fraction):
            require(0.0 <= f <= 1.0, f"given_fraction[{i}]", "must be in [0, 1]")
        require(len(self.boxes) == 3, "boxes", "one (rows, columns) box shape per evolution level (3)")
        for i, (r, c) in enumerate(self.boxes):
            require(1 <= r <= 3 and 1 <= c <= 3 and r * c >= 2, f"boxes[{i}]", "box sides in 1..3 (grids up to 9x9)")
        require(self.swaps >= 0, "swaps", f"must be >= 0, got {self.swaps}")
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
            puzzle = _dig(full, r, c, diagonal, config.blanks, config.swaps, rng)
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


def _dig(full: list[list[int]], r: int, c: int, diagonal: bool, blanks: tuple[int, int], swaps: int,
         rng: random.Random) -> list[list[int]] | None:
    """Empty cells of ``full`` in random order while the completion stays unique, then, short of the drawn
    target, up to ``swaps`` exchange moves; None below ``blanks[0]``."""
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
    for _ in range(swaps):
        if empty >= target:
            break
        empty += _exchange(puzzle, full, r, c, diagonal, target - empty, rng)
    return puzzle if empty >= low else None


def _exchange(puzzle: list[list[int]], full: list[list[int]], r: int, c: int, diagonal: bool, wanted: int,
              rng: random.Random) -> int:
    """One move of a local search past a minimal puzzle (where no single given can go): put one removed
    given back, then try every other given, in random order, for removal while the completion stays unique.
    Returns the blanks gained: 0 for a sideways step (one other given went, which lets the next moves reach
    other minimal puzzles) and for a move taken back (none could go)."""
    n = r * c
    cells = [(i, j) for i in range(n) for j in range(n)]
    back = rng.choice([cell for cell in cells if not puzzle[cell[0]][cell[1]]])
    puzzle[back[0]][back[1]] = full[back[0]][back[1]]
    givens = [cell for cell in cells if puzzle[cell[0]][cell[1]] and cell != back]
    rng.shuffle(givens)
    removed = 0
    for i, j in givens:
        if removed > wanted:
            break
        puzzle[i][j] = 0
        if count_completions(puzzle, r, c, diagonal) == 1:
            removed += 1
        else:
            puzzle[i][j] = full[i][j]
    if not removed:
        puzzle[back[0]][back[1]] = 0
        return 0
    return removed - 1


def _levels() -> tuple[dict, ...]:
    s = SudokuConfig
    nine = {"boxes": (3, 3)}
    return (
        level(s, 0),
        level(s, 1),
        level(s, 2),
        level(s, 1, each=nine, unique=True, blanks=(40, 45)),
        level(s, 1, each=nine, unique=True, blanks=(46, 53)),
        level(s, 1, each=nine, unique=True, blanks=(54, 58), swaps=50),
        level(s, 1, each=nine, unique=True, blanks=(59, 62), swaps=150),
    )


Sudoku.levels = _levels()
FAMILY = Sudoku
