"""prolog/list_recursion: predict the result of a pipeline of recursive list predicates.

Each stage is a small recursive predicate (filter, map, take, drop, reverse with an accumulator, prefix sums,
insertion sort, ...) and the last may fold the list into a number (sum, maximum, length, count). Evolution:
0 = two stages on a short list; 1 = three or four stages; 2 = four or five stages on a longer list, with
insertion sort and deduplication in the mix. ``max_rec`` of an empty list fails, which gives "no solution".

Difficulty levels (``difficulty: N``): 1-3 = evolution 0-2, then 5-6 stages on 13-18 items and 6-8 stages on
20-30 items.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.config import require
from reasonry.generators.prolog.common import (
    Instance,
    PrologConfig,
    PrologFamily,
    level,
    program,
    show_json,
)

# name -> (Prolog definition, English for a stage, arity of its parameter: 0 or 1)
STAGES: dict[str, tuple[str, str, int]] = {
    "keep_even": ("""
keep_even([], []).
keep_even([X|Xs], Ys) :-
    (   X mod 2 =:= 0
    ->  Ys = [X|Ys1]
    ;   Ys = Ys1
    ),
    keep_even(Xs, Ys1).""", "keep only the even numbers", 0),
    "keep_greater": ("""
keep_greater(_, [], []).
keep_greater(K, [X|Xs], Ys) :-
    (   X > K
    ->  Ys = [X|Ys1]
    ;   Ys = Ys1
    ),
    keep_greater(K, Xs, Ys1).""", "keep only the numbers greater than {k}", 1),
    "add_each": ("""
add_each(_, [], []).
add_each(K, [X|Xs], [Y|Ys]) :-
    Y is X + K,
    add_each(K, Xs, Ys).""", "add {k} to every number", 1),
    "times_each": ("""
times_each(_, [], []).
times_each(K, [X|Xs], [Y|Ys]) :-
    Y is X * K,
    times_each(K, Xs, Ys).""", "multiply every number by {k}", 1),
    "take": ("""
take(0, _, []) :- !.
take(_, [], []) :- !.
take(N, [X|Xs], [X|Ys]) :-
    N1 is N - 1,
    take(N1, Xs, Ys).""", "keep only the first {k} numbers", 1),
    "drop": ("""
drop(0, Xs, Xs) :- !.
drop(_, [], []) :- !.
drop(N, [_|Xs], Ys) :-
    N1 is N - 1,
    drop(N1, Xs, Ys).""", "remove the first {k} numbers", 1),
    "reverse_acc": ("""
reverse_acc(Xs, Ys) :-
    reverse_acc(Xs, [], Ys).
reverse_acc([], Acc, Acc).
reverse_acc([X|Xs], Acc, Ys) :-
    reverse_acc(Xs, [X|Acc], Ys).""", "reverse the list", 0),
    "prefix_sums": ("""
prefix_sums(Xs, Ys) :-
    prefix_sums(Xs, 0, Ys).
prefix_sums([], _, []).
prefix_sums([X|Xs], Acc, [S|Ss]) :-
    S is Acc + X,
    prefix_sums(Xs, S, Ss).""", "replace the list by its running totals", 0),
    "dedup_adjacent": ("""
dedup_adjacent([], []).
dedup_adjacent([X], [X]) :- !.
dedup_adjacent([X, X|Xs], Ys) :- !,
    dedup_adjacent([X|Xs], Ys).
dedup_adjacent([X|Xs], [X|Ys]) :-
    dedup_adjacent(Xs, Ys).""", "merge runs of equal neighbouring numbers into one", 0),
    "insertion_sort": ("""
insertion_sort([], []).
insertion_sort([X|Xs], Ys) :-
    insertion_sort(Xs, Zs),
    insert(X, Zs, Ys).
insert(X, [], [X]).
insert(X, [Y|Ys], [X, Y|Ys]) :-
    X =< Y, !.
insert(X, [Y|Ys], [Y|Zs]) :-
    insert(X, Ys, Zs).""", "sort the numbers in ascending order (insertion sort)", 0),
}
FOLDS: dict[str, tuple[str, str]] = {
    "sum_rec": ("""
sum_rec([], 0).
sum_rec([X|Xs], S) :-
    sum_rec(Xs, S0),
    S is S0 + X.""", "add up the numbers"),
    "max_rec": ("""
max_rec([X], X).
max_rec([X, Y|Ys], M) :-
    max_rec([Y|Ys], M0),
    M is max(X, M0).""", "take the largest number"),
    "len_rec": ("""
len_rec([], 0).
len_rec([_|Xs], N) :-
    len_rec(Xs, N0),
    N is N0 + 1.""", "count the numbers"),
}

PIPELINE = """
run([], Value, Value).
run([Stage|Stages], In, Out) :-
    stage(Stage, In, Mid),
    run(Stages, Mid, Out).

answer(_{result: Result}) :-
    input(List),
    pipeline(Stages),
    run(Stages, List, Result).
"""

TRACE = """
trun([], _).
trun([Stage|Stages], In) :-
    format(string(Name), "~w", [Stage]),
    (   stage(Stage, In, Out)
    ->  note(stage(Name, In, Out)),
        trun(Stages, Out)
    ;   note(fails(Name, In))
    ).

trace_search :-
    input(List),
    pipeline(Stages),
    trun(Stages, List).
"""


def stage_term(name: str, k: int | None) -> str:
    return f"{name}({k})" if k is not None else name


def stage_clause(name: str, k: int | None) -> str:
    if name in FOLDS or STAGES[name][2] == 0:
        return f"stage({name}, In, Out) :- {name}(In, Out)."
    return f"stage({name}(K), In, Out) :- {name}(K, In, Out)."


def render(events: list, value: dict) -> list[str]:
    lines = []
    for tag, stage, value_in, *rest in events:
        label = str(stage)
        if tag == "stage":
            lines.append(f"{label} applied to {show_json(value_in)} recurses element by element and "
                         f"gives {show_json(rest[0])}.")
        else:
            lines.append(f"{label} has no clause for {show_json(value_in)}, so the pipeline fails.")
    return lines


@dataclass(frozen=True)
class ListRecursionConfig(PrologConfig):
    length: tuple[tuple[int, int], ...] = ((4, 7), (5, 9), (8, 12))
    stages: tuple[tuple[int, int], ...] = ((2, 2), (3, 4), (4, 5))

    def __post_init__(self):
        super().__post_init__()
        for name in ("length", "stages"):
            ranges = getattr(self, name)
            require(len(ranges) == 3, name, "one range per evolution level (3)")
            for i, (low, high) in enumerate(ranges):
                require(1 <= low <= high <= 30, f"{name}[{i}]", "a range within 1..30")


class ListRecursion(PrologFamily):
    name = "list_recursion"
    Config = ListRecursionConfig

    def build(self, config: ListRecursionConfig, rng: random.Random) -> Instance:
        level = config.evolution
        values = [rng.randint(-9, 20) for _ in range(rng.randint(*config.length[level]))]
        count = rng.randint(*config.stages[level])
        names = [n for n in STAGES if level == 2 or n not in ("insertion_sort", "dedup_adjacent")]
        chosen: list[tuple[str, int | None]] = []
        for i in range(count):
            if i == count - 1 and rng.random() < 0.6:
                chosen.append((rng.choice(sorted(FOLDS)), None))
                break
            name = rng.choice(names)
            k = None
            if STAGES[name][2]:
                k = rng.randint(1, 4) if name in ("take", "drop", "times_each") else rng.randint(-3, 9)
            chosen.append((name, k))
        used = sorted({n for n, _ in chosen})
        defs = "\n".join((STAGES[n][0] if n in STAGES else FOLDS[n][0]).strip("\n") + "\n" for n in used)
        clauses = "\n".join(sorted({stage_clause(n, k) for n, k in chosen}))
        facts = (f"input({show_json(values).replace(' ', '')}).\n"
                 f"pipeline([{', '.join(stage_term(n, k) for n, k in chosen)}]).")
        text = program(facts, defs, clauses, PIPELINE)
        steps = []
        for n, k in chosen:
            english = STAGES[n][1] if n in STAGES else FOLDS[n][1]
            steps.append(english.format(k=k))
        statement = (f"Start with the list {show_json(values)}. Then, in order: " + "; ".join(steps) + ". "
                     "What is the final result (a list or a number)? Taking the largest number of an empty list "
                     "is impossible.")
        return Instance(
            problem={"input": values, "stages": [[n, k] for n, k in chosen]},
            program=text,
            statement=statement,
            answer_format='{"result": the final list or number}.',
            trace_addon=TRACE,
            render_trace=render,
            difficulty={"length": len(values), "stages": len(chosen)},
        )


def _levels() -> tuple[dict, ...]:
    c = ListRecursionConfig
    return (
        level(c, 0),
        level(c, 1),
        level(c, 2),
        level(c, 2, each={"length": (13, 18), "stages": (5, 6)}),
        level(c, 2, each={"length": (20, 30), "stages": (6, 8)}),
    )


ListRecursion.levels = _levels()
FAMILY = ListRecursion
