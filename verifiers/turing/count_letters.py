"""Checks for tail/count_letters: the number of times ``letter`` occurs in ``text`` (letters numbered from 1,
spaces skipped). ``answer`` is ``str.count``; the replay walks the letters itself and compares each state."""

from __future__ import annotations

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, both, lockstep, same_integer

_N = r"(\d+)"
_L = r"([a-z])"
PATTERNS = {
    "text": both(r"Text: ([a-z ]+); target=([a-z])",
                 r"The text is \"([a-z ]+)\" and we count the letter '([a-z])' in it\."),
    "match": both(rf"State {_N}: fetch letter {_N}={_L} count={_N}; {_L}={_L}; count={_N}\+1={_N}",
                  rf"Step {_N}: letter {_N} is '{_L}' and the count is {_N}; '{_L}' is '{_L}', so the count "
                  rf"becomes {_N} \+ 1 = {_N}\."),
    "differ": both(rf"State {_N}: fetch letter {_N}={_L} count={_N}; {_L}!={_L}; count={_N}",
                   rf"Step {_N}: letter {_N} is '{_L}' and the count is {_N}; '{_L}' is not '{_L}', so the count stays "
                   rf"{_N}\."),
    "result": both(rf"Result: count={_N}", rf"In total the count is {_N}\."),
}
def _instance(spec: dict) -> tuple[str, str]:
    text, letter = str(spec["text"]), str(spec["letter"])
    if len(letter) != 1 or len(text) > 10_000:
        raise ValueError("letter must be one character and the text at most 10000 characters")
    return text, letter


def answer(spec: dict) -> str:
    text, letter = _instance(spec)
    return str(text.count(letter))


def same(candidate: str, gold: str) -> bool:
    return same_integer(candidate, gold)


def expected_states(spec: dict) -> list[Expected]:
    text, letter = _instance(spec)
    states: list[Expected] = [("text", (text, letter))]
    count = 0
    position = 0
    for ch in text:
        if ch == " ":
            continue
        position += 1
        k, c = str(position), str(count)
        if ch == letter:
            count += 1
            states.append(("match", (k, k, ch, c, ch, letter, c, str(count))))
        else:
            states.append(("differ", (k, k, ch, c, ch, letter, c)))
    states.append(("result", (str(count),)))
    return states


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return lockstep(trace, expected_states(spec), PATTERNS, lambda final: same(final, gold))
