"""prolog/nqueens: place N queens on an N x N board so that none attacks another (CLP(FD)).

Evolution: 0 = plain N-queens (N in ``sizes[0]``); 1 = larger boards with some squares blocked; 2 = blocked
squares and a second objective, the number of solutions. The answer is the first solution in search order
(row by row, smallest column first), i.e. the lexicographically smallest list of columns.

The trace of a counting item is the search log up to its cap (``MAX_TRACE_EVENTS``), then the solver's total:
the traced search stops at the cap, so a 12x12 count costs what the answer's own count costs.

Difficulty levels (``difficulty: N``): 1 = 4-6 plain, 2 = 6-8 and 3 = 8-10 with blocked squares, then
counting with blocked squares on 6-8, 9-10 and 11-12 boards.
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
    listing,
    program,
)

MODEL = """
queens(Qs) :-
    board_size(N),
    length(Qs, N),
    Qs ins 1..N,
    safe(Qs),
    avoid_blocked(Qs, 1).

safe([]).
safe([Q|Qs]) :-
    no_attack(Q, Qs, 1),
    safe(Qs).

no_attack(_, [], _).
no_attack(Q, [Q1|Qs], D) :-
    Q #\\= Q1,
    abs(Q - Q1) #\\= D,
    D1 is D + 1,
    no_attack(Q, Qs, D1).

avoid_blocked([], _).
avoid_blocked([Q|Qs], Row) :-
    findall(C, blocked(Row, C), Cs),
    exclude_columns(Cs, Q),
    Row1 is Row + 1,
    avoid_blocked(Qs, Row1).

exclude_columns([], _).
exclude_columns([C|Cs], Q) :-
    Q #\\= C,
    exclude_columns(Cs, Q).
"""

ANSWER = """
answer(_{queens: Qs}) :-
    queens(Qs),
    label(Qs).
"""

ANSWER_COUNT = """
answer(_{queens: Qs, solutions: Count}) :-
    queens(Qs),
    label(Qs),
    aggregate_all(count, (queens(Rs), label(Rs)), Count).
"""

TRACE = CSP_TRACE + """
trace_search :-
    queens(Qs),
    length(Qs, N),
    numlist(1, N, Rows),
    once(tlabel(Qs, Rows)).
"""

# With the count objective the same search runs to the end, every solution noted.
TRACE_COUNT = CSP_TRACE + """
trace_search :-
    queens(Qs),
    length(Qs, N),
    numlist(1, N, Rows),
    forall(tlabel(Qs, Rows), true).
"""


@dataclass(frozen=True)
class NQueensConfig(PrologConfig):
    sizes: tuple[tuple[int, int], ...] = ((4, 7), (6, 9), (5, 8))  # board size range per evolution level
    max_blocked: int = 4

    def __post_init__(self):
        super().__post_init__()
        require(len(self.sizes) == 3, "sizes", "one [low, high] range per evolution level (3)")
        for i, (low, high) in enumerate(self.sizes):
            require(1 <= low <= high <= 12, f"sizes[{i}]", "board sizes are in 1..12")
        require(0 <= self.max_blocked <= 20, "max_blocked", "must be in 0..20")


class NQueens(PrologFamily):
    name = "nqueens"
    Config = NQueensConfig

    def build(self, config: NQueensConfig, rng: random.Random) -> Instance:
        low, high = config.sizes[config.evolution]
        n = rng.randint(low, high)
        blocked: list[list[int]] = []
        if config.evolution >= 1 and config.max_blocked:
            cells = {(rng.randint(1, n), rng.randint(1, n)) for _ in range(rng.randint(1, config.max_blocked))}
            blocked = [list(c) for c in sorted(cells)]
        facts = [f"board_size({n}).", ":- dynamic blocked/2."] + [f"blocked({r}, {c})." for r, c in blocked]
        count = config.evolution == 2
        text = program("\n".join(facts), MODEL, ANSWER_COUNT if count else ANSWER, clpfd=True)
        statement = (f"Place {n} queens on a {n}x{n} chessboard, one in each row, so that no two queens share a "
                     "column or a diagonal.")
        if blocked:
            statement += (" These squares (row, column) are blocked and may not hold a queen: "
                          + listing([f"({r}, {c})" for r, c in blocked]) + ".")
        statement += (" Rows and columns are numbered from 1. Give the placement whose list of columns (row 1 "
                      "first) is smallest in lexicographic order.")
        fmt = '{"queens": [column of the queen in row 1, row 2, ...]}'
        if count:
            statement += " Also count all valid placements."
            fmt = '{"queens": [column of the queen in row 1, row 2, ...], "solutions": number of placements}.'
        else:
            fmt += "."
        return Instance(
            problem={"n": n, "blocked": blocked, "count": count},
            program=text,
            statement=statement,
            answer_format=fmt,
            trace_addon=TRACE_COUNT if count else TRACE,
            render_trace=csp_renderer(lambda r: f"the queen of row {r}", lambda c: f"column {c}"),
            difficulty={"n": n, "blocked": len(blocked)},
        )


def _levels() -> tuple[dict, ...]:
    q = NQueensConfig
    return (
        level(q, 0, each={"sizes": (4, 6)}),
        level(q, 1, each={"sizes": (6, 8)}),
        level(q, 1, each={"sizes": (8, 10)}),
        level(q, 2, each={"sizes": (6, 8)}),
        level(q, 2, each={"sizes": (9, 10)}),
        level(q, 2, each={"sizes": (11, 12)}, inference_limit=400_000_000, time_limit=60.0),
    )


NQueens.levels = _levels()
FAMILY = NQueens
