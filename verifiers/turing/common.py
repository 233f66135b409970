"""What the checkers of LCS and Levenshtein share: the spec's two strings and the replay of a DP table over
their prefixes, filled row by row with one state per cell."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from reasonry.verifiers.turing.lines import State

# the replay holds a (len(s)+1) x (len(t)+1) table and the trace has a state per cell
MAX_CELLS = 1_000_000


def strings(spec: dict) -> tuple[str, str]:
    s, t = spec["s"], spec["t"]
    if not (isinstance(s, str) and isinstance(t, str)):
        raise ValueError("s and t must be strings")
    if (len(s) + 1) * (len(t) + 1) > MAX_CELLS:
        raise ValueError(f"more than {MAX_CELLS} DP cells")
    return s, t


def grid_states(s: str, t: str, border: Callable[[int, int], int],
                rule: Callable[[bool, int, int, int], int]) -> Iterator[State]:
    """The cells' states (``match`` or ``differ``), the moves between them and the result. ``border(i, j)`` is a
    cell of row 0 or column 0; ``rule(equal, diag, up, left)`` is a cell from its three neighbours."""
    m, n = len(s), len(t)
    table = [[border(i, j) if i == 0 or j == 0 else 0 for j in range(n + 1)] for i in range(m + 1)]
    order = [(i, j) for i in range(1, m + 1) for j in range(1, n + 1)]
    for k, (i, j) in enumerate(order):
        equal = s[i - 1] == t[j - 1]
        diag, up, left = table[i - 1][j - 1], table[i - 1][j], table[i][j - 1]
        table[i][j] = rule(equal, diag, up, left)
        yield ("match" if equal else "differ"), {"i": i, "j": j, "pi": i - 1, "pj": j - 1, "a": s[i - 1],
                                                 "b": t[j - 1], "diag": diag, "up": up, "left": left,
                                                 "cell": table[i][j]}
        if k + 1 < len(order):
            yield "move", {"i": i, "j": j, "ni": order[k + 1][0], "nj": order[k + 1][1]}
    yield "result", {"m": m, "n": n, "cell": table[m][n]}
