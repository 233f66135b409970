"""Checks for tail/lcs: LCS length by a rolling-row DP, and a cell-by-cell replay of the trace."""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, lockstep, same_integer, shapes

_WORD = r"[a-z]+"
_LETTER = r"[a-z]"
_KINDS = {
    "header": shapes("Strings: s={s} t={t}", "We compare s = {s} ({m} letters) with t = {t} ({n} letters).",
                     s=_WORD, t=_WORD),
    "init": shapes("Init: dp[0][0..{n}]=0 dp[0..{m}][0]=0",
                   "An empty prefix has nothing in common with anything: dp[0][0..{n}]=0 and dp[0..{m}][0]=0."),
    "match": shapes("State dp[{i}][{j}]: fetch s{i}={a} t{j}={b} dp[{pi}][{pj}]={diag}; s{i}=t{j}; "
                    "dp[{i}][{j}]={diag}+1={cell}",
                    "Cell dp[{i}][{j}]: s{i}={a} and t{j}={b} match. We have got dp[{pi}][{pj}]={diag}. "
                    "So dp[{i}][{j}]={diag}+1={cell}.", a=_LETTER, b=_LETTER),
    "differ": shapes("State dp[{i}][{j}]: fetch s{i}={a} t{j}={b} dp[{pi}][{j}]={up} dp[{i}][{pj}]={left}; "
                     "s{i}!=t{j}; dp[{i}][{j}]=max({up},{left})={cell}",
                     "Cell dp[{i}][{j}]: s{i}={a} and t{j}={b} differ. We have got dp[{pi}][{j}]={up}. "
                     "We have got dp[{i}][{pj}]={left}. So dp[{i}][{j}]=max({up},{left})={cell}.",
                     a=_LETTER, b=_LETTER),
    "move": shapes("Transition dp[{i}][{j}] -> dp[{ni}][{nj}]", "Next we move from dp[{i}][{j}] to dp[{ni}][{nj}]."),
    "result": shapes("Result: dp[{m}][{n}]={cell}", "The whole strings give dp[{m}][{n}]={cell}."),
}


# the replay holds a (len(s)+1) x (len(t)+1) table and the trace has a state per cell
MAX_CELLS = 1_000_000


def _strings(spec: dict) -> tuple[str, str]:
    s, t = spec["s"], spec["t"]
    if not (isinstance(s, str) and isinstance(t, str)):
        raise ValueError("s and t must be strings")
    if (len(s) + 1) * (len(t) + 1) > MAX_CELLS:
        raise ValueError(f"more than {MAX_CELLS} DP cells")
    return s, t


def answer(spec: dict) -> str:
    s, t = _strings(spec)
    row = [0] * (len(t) + 1)
    for a in s:
        diag = 0  # the previous row's value one column to the left
        for j, b in enumerate(t, start=1):
            diag, row[j] = row[j], (diag + 1 if a == b else max(row[j], row[j - 1]))
    return str(row[-1])


def same(candidate: str, gold: str) -> bool:
    return same_integer(candidate, gold)


def _states(s: str, t: str) -> Iterator[Expected]:
    m, n = len(s), len(t)
    yield "header", {"s": s, "t": t, "m": m, "n": n}
    yield "init", {"m": m, "n": n}
    table = [[0] * (n + 1) for _ in range(m + 1)]
    order = [(i, j) for i in range(1, m + 1) for j in range(1, n + 1)]
    for k, (i, j) in enumerate(order):
        shown = {"i": i, "j": j, "pi": i - 1, "pj": j - 1, "a": s[i - 1], "b": t[j - 1]}
        if s[i - 1] == t[j - 1]:
            table[i][j] = table[i - 1][j - 1] + 1
            yield "match", {**shown, "diag": table[i - 1][j - 1], "cell": table[i][j]}
        else:
            table[i][j] = max(table[i - 1][j], table[i][j - 1])
            yield "differ", {**shown, "up": table[i - 1][j], "left": table[i][j - 1], "cell": table[i][j]}
        if k + 1 < len(order):
            yield "move", {"i": i, "j": j, "ni": order[k + 1][0], "nj": order[k + 1][1]}
    yield "result", {"m": m, "n": n, "cell": table[m][n]}


def check_trace(spec: dict, trace: str) -> Verdict:
    s, t = _strings(spec)
    gold = answer(spec)
    return lockstep(trace, _states(s, t), _KINDS, lambda final: same(final, gold))
