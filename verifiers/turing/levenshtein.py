"""Checks for tail/levenshtein: edit distance by a two-row DP, and a cell-by-cell replay of the trace."""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, lockstep, same_integer, shapes

_WORD = r"[a-z]+"
_LETTER = r"[a-z]"
_COUNTS = r"\d+(?: \d+)*"
_KINDS = {
    "header": shapes("Strings: s={s} t={t}", "We turn s = {s} ({m} letters) into t = {t} ({n} letters).",
                     s=_WORD, t=_WORD),
    "init": shapes("Init: dp[0][0..{n}]={top}; dp[0..{m}][0]={side}",
                   "From or to an empty prefix it takes one edit per letter: dp[0][0..{n}]={top} and "
                   "dp[0..{m}][0]={side}.", top=_COUNTS, side=_COUNTS),
    "match": shapes("State dp[{i}][{j}]: fetch s{i}={a} t{j}={b} dp[{pi}][{pj}]={diag}; s{i}=t{j}; dp[{i}][{j}]={cell}",
                    "Cell dp[{i}][{j}]: s{i}={a} and t{j}={b} match. We have got dp[{pi}][{pj}]={diag}. "
                    "So dp[{i}][{j}]={cell}.", a=_LETTER, b=_LETTER),
    "differ": shapes("State dp[{i}][{j}]: fetch s{i}={a} t{j}={b} dp[{pi}][{pj}]={diag} dp[{pi}][{j}]={up} "
                     "dp[{i}][{pj}]={left}; s{i}!=t{j}; dp[{i}][{j}]=1+min({diag},{up},{left})={cell}",
                     "Cell dp[{i}][{j}]: s{i}={a} and t{j}={b} differ. We have got dp[{pi}][{pj}]={diag} (replace), "
                     "dp[{pi}][{j}]={up} (delete) and dp[{i}][{pj}]={left} (insert). "
                     "So dp[{i}][{j}]=1+min({diag},{up},{left})={cell}.", a=_LETTER, b=_LETTER),
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
    prev = list(range(len(t) + 1))
    for i, a in enumerate(s, start=1):
        cur = [i]
        for j, b in enumerate(t, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return str(prev[-1])


def same(candidate: str, gold: str) -> bool:
    return same_integer(candidate, gold)


def _states(s: str, t: str) -> Iterator[Expected]:
    m, n = len(s), len(t)
    yield "header", {"s": s, "t": t, "m": m, "n": n}
    yield "init", {"m": m, "n": n, "top": " ".join(map(str, range(n + 1))), "side": " ".join(map(str, range(m + 1)))}
    table = [list(range(n + 1))] + [[i] + [0] * n for i in range(1, m + 1)]
    order = [(i, j) for i in range(1, m + 1) for j in range(1, n + 1)]
    for k, (i, j) in enumerate(order):
        shown = {"i": i, "j": j, "pi": i - 1, "pj": j - 1, "a": s[i - 1], "b": t[j - 1], "diag": table[i - 1][j - 1]}
        if s[i - 1] == t[j - 1]:
            table[i][j] = table[i - 1][j - 1]
            yield "match", {**shown, "cell": table[i][j]}
        else:
            up, left = table[i - 1][j], table[i][j - 1]
            table[i][j] = 1 + min(table[i - 1][j - 1], up, left)
            yield "differ", {**shown, "up": up, "left": left, "cell": table[i][j]}
        if k + 1 < len(order):
            yield "move", {"i": i, "j": j, "ni": order[k + 1][0], "nj": order[k + 1][1]}
    yield "result", {"m": m, "n": n, "cell": table[m][n]}


def check_trace(spec: dict, trace: str) -> Verdict:
    s, t = _strings(spec)
    gold = answer(spec)
    return lockstep(trace, _states(s, t), _KINDS, lambda final: same(final, gold))
