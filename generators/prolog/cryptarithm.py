"""prolog/cryptarithm: letters stand for distinct digits in a sum of words (CLP(FD)).

Puzzles are made from a real sum with its digits replaced by letters, so at least one solution exists.
Evolution: 0 = two addends; 1 = three addends; 2 = three addends and a second objective, the number of
solutions. The assignment asked for is the first in search order (letters alphabetically, smallest digit
first). ``addends`` sets the number of words per evolution (up to 12) and ``operation`` whether they are
added (``+``) or multiplied (``*``).

Difficulty levels (``difficulty: N``), ordered by SWI-Prolog's measured effort: 1 = two addends of 1-2 digits,
2 = three addends, 3 = three with the count, 4 = a product of two 2-3 digit factors, 5 = 4-5 addends of 3-5
digits with the count, 6 = 6-8 addends of 3-6 digits with the count, 7 = a product of two 3-4 digit factors
(products without the count).
"""

from __future__ import annotations

import math
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
    program,
)
from reasonry.levels import knob

MODEL = """
letters(Letters) :-
    puzzle(Addends, Sum),
    append([Sum|Addends], All),
    sort(All, Letters).

model(Pairs, Digits) :-
    puzzle(Addends, Sum),
    letters(Letters),
    same_length(Letters, Digits),
    pairs_keys_values(Pairs, Letters, Digits),
    Digits ins 0..9,
    all_different(Digits),
    maplist(word_value(Pairs), Addends, Values),
    word_value(Pairs, Sum, Total),
    add_up(Values, Left),
    Left #= Total,
    maplist(leading_digit(Pairs), [Sum|Addends]).

% A word's value as one arithmetic expression, so the whole sum is a single linear constraint.
word_value(Pairs, Word, Value) :-
    foldl(add_digit(Pairs), Word, 0, Value).

add_digit(Pairs, Letter, Acc, Acc * 10 + D) :-
    memberchk(Letter-D, Pairs).

add_up([V], V).
add_up([V, W|Vs], Sum) :-
    add_up([V + W|Vs], Sum).

leading_digit(Pairs, [First|_]) :-
    memberchk(First-D, Pairs),
    D #\\= 0.
"""

# The same model with the words multiplied instead of added (a non-linear constraint for CLP(FD)).
# The last one and two columns of the product are posted again on their own (the product modulo 10 and 100 of
# the factors' last digits): redundant, but the whole product alone propagates too little for 3-4 digit factors.
LOW_COLUMNS = "    low_column(Pairs, Addends, Sum, 1),\n    low_column(Pairs, Addends, Sum, 2),\n"
MODEL_TIMES = MODEL.replace("add_up(Values, Left)", "multiply(Values, Left)").replace(
    "    Left #= Total,\n", "    Left #= Total,\n" + LOW_COLUMNS) + """
multiply([V], V).
multiply([V, W|Vs], Product) :-
    multiply([V * W|Vs], Product).

low_column(Pairs, Factors, Product, K) :-
    (   maplist(longer_than(K), [Product|Factors])
    ->  maplist(tail_value(Pairs, K), Factors, Vs),
        tail_value(Pairs, K, Product, P),
        multiply(Vs, Low),
        M is 10^K,
        Low mod M #= P
    ;   true
    ).

longer_than(K, Word) :-
    length(Word, L),
    L >= K.

tail_value(Pairs, K, Word, Value) :-
    length(Tail, K),
    append(_, Tail, Word),
    word_value(Pairs, Tail, Value).
"""

ANSWER = """
answer(_{assignment: Assignment}) :-
    model(Pairs, Digits),
    label(Digits),
    dict_pairs(Assignment, _, Pairs).
"""

ANSWER_COUNT = """
answer(_{assignment: Assignment, solutions: Count}) :-
    model(Pairs, Digits),
    label(Digits),
    dict_pairs(Assignment, _, Pairs),
    aggregate_all(count, (model(_, Ds), label(Ds)), Count).
"""

TRACE = CSP_TRACE + """
trace_search :-
    letters(Letters),
    model(_, Digits),
    once(tlabel(Digits, Letters)).
"""

TRACE_COUNT = CSP_TRACE + """
trace_search :-
    letters(Letters),
    model(_, Digits),
    forall(tlabel(Digits, Letters), true).
"""

LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class CryptarithmConfig(PrologConfig):
    digits: tuple[int, int] = (2, 4)  # digits of each addend
    max_letters: tuple[int, ...] = (6, 7, 7)
    addends: tuple[tuple[int, int], ...] = knob(((2, 2), (3, 3), (3, 3)))  # words on the left, per evolution
    operation: tuple[str, ...] = knob(("+", "+", "+"))  # "+" or "*", per evolution

    def __post_init__(self):
        super().__post_init__()
        require(len(self.addends) == 3 and all(2 <= low <= high <= 12 for low, high in self.addends), "addends",
                "one range within 2..12 per evolution level (3)")
        require(len(self.operation) == 3 and all(op in ("+", "*") for op in self.operation), "operation",
                "one of '+' or '*' per evolution level (3)")
        require(1 <= self.digits[0] <= self.digits[1] <= 6, "digits", "a range within 1..6")
        require(len(self.max_letters) == 3 and all(2 <= m <= 10 for m in self.max_letters), "max_letters",
                "one limit in 2..10 per evolution level (3)")


class Cryptarithm(PrologFamily):
    name = "cryptarithm"
    Config = CryptarithmConfig

    def build(self, config: CryptarithmConfig, rng: random.Random) -> Instance | None:
        low, high = config.addends[config.evolution]
        addends_n = low if low == high else rng.randint(low, high)  # a fixed count draws nothing
        times = config.operation[config.evolution] == "*"
        for _ in range(50):
            numbers = [rng.randint(10 ** (d - 1), 10 ** d - 1)
                       for d in (rng.randint(*config.digits) for _ in range(addends_n))]
            total = math.prod(numbers) if times else sum(numbers)
            used = sorted(set("".join(map(str, numbers + [total]))))
            if len(used) <= config.max_letters[config.evolution]:
                break
        else:
            return None
        letters = rng.sample(LETTERS, len(used))
        code = dict(zip(used, letters, strict=True))
        words = ["".join(code[ch] for ch in str(x)) for x in numbers]
        sum_word = "".join(code[ch] for ch in str(total))
        count = config.evolution == 2
        fact = ("puzzle([" + ", ".join("[" + ", ".join(w) + "]" for w in words) + "], ["
                + ", ".join(sum_word) + "]).")
        text = program(fact, MODEL_TIMES if times else MODEL, ANSWER_COUNT if count else ANSWER, clpfd=True)
        shown = (" * " if times else " + ").join(w.upper() for w in words) + " = " + sum_word.upper()
        statement = (f"Solve the cryptarithm {shown}: each letter stands for a digit, different letters for "
                     "different digits, and no word starts with 0. If several assignments work, give the first "
                     "one when the letters are taken in alphabetical order and digits are tried from 0 upwards "
                     "(the lexicographically smallest digit sequence).")
        fmt = '{"assignment": {"letter": digit, ...}} with the letters in lower case'
        if count:
            statement += " Also count all valid assignments."
            fmt = '{"assignment": {"letter": digit, ...}, "solutions": number of assignments} (lower-case letters)'
        return Instance(
            problem={"addends": words, "sum": sum_word, "count": count, **({"operation": "*"} if times else {})},
            program=text,
            statement=statement,
            answer_format=fmt + ".",
            trace_addon=TRACE_COUNT if count else TRACE,
            render_trace=csp_renderer(lambda letter: f"letter {str(letter).upper()}", lambda d: f"digit {d}"),
            difficulty={"addends": addends_n, "letters": len(used), **({"operation": "*"} if times else {})},
        )


def _levels() -> tuple[dict, ...]:
    c = CryptarithmConfig
    # Sums stop at 6-8 addends because more addends do not make a harder puzzle: there are at most 10 letters (one
    # per digit), so a longer sum only lengthens one linear constraint and does not widen the search. SWI-Prolog
    # inferences to find and count the assignments, 3 draws each (digits 3-6, up to 10 letters): 8 addends
    # 1.0-12.8 M, 12 addends 16-27 M, 20 addends 7-62 M, 50 addends 11-54 M; not monotone in the addends, and
    # past 12 some draws exceed the default 50 M limit.
    # products are posed without the count: counting the assignments of a product costs SWI-Prolog up to 50 M
    # inferences at 2-3 digit factors (measured), finding the first one a fraction of that
    return (
        level(c, 0, digits=(1, 2), each={"max_letters": 4}),
        level(c, 1),
        level(c, 2),
        level(c, 1, each={"addends": (2, 2), "operation": "*", "max_letters": 8}, digits=(2, 3)),
        level(c, 2, each={"addends": (4, 5), "max_letters": 9}, digits=(3, 5)),
        level(c, 2, each={"addends": (6, 8), "max_letters": 10}, digits=(3, 6)),
        level(c, 1, each={"addends": (2, 2), "operation": "*", "max_letters": 10}, digits=(3, 4),
              time_limit=30.0, inference_limit=200_000_000),
    )


Cryptarithm.levels = _levels()
FAMILY = Cryptarithm
