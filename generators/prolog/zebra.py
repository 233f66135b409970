"""prolog/zebra: zebra-style assignment puzzles, houses in a row with one value of each attribute (CLP(FD)).

Clues are true of a hidden arrangement, so at least one solution exists; the answer gives the first
arrangement in search order and how many arrangements satisfy the clues (1 for a well-posed puzzle).
Evolution: 0 = 3 houses, 2 attributes; 1 = 4 houses, 3 attributes; 2 = 4 houses, 3 attributes, and
"next to" and "not in house" clues as well.
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
% Every attribute value gets the number of its house; values of one attribute are in different houses.
model(Pairs, Houses) :-
    houses(N),
    findall(Vs, attribute(_, Vs), Groups),
    append(Groups, Values),
    same_length(Values, Houses),
    Houses ins 1..N,
    pairs_keys_values(Pairs, Values, Houses),
    maplist(distinct_group(Pairs), Groups),
    findall(C, clue(C), Clues),
    maplist(post(Pairs), Clues).

distinct_group(Pairs, Group) :-
    maplist(house_of(Pairs), Group, Hs),
    all_different(Hs).

house_of(Pairs, Value, House) :-
    memberchk(Value-House, Pairs).

post(Pairs, same(A, B)) :- house_of(Pairs, A, HA), house_of(Pairs, B, HB), HA #= HB.
post(Pairs, left_of(A, B)) :- house_of(Pairs, A, HA), house_of(Pairs, B, HB), HA + 1 #= HB.
post(Pairs, next_to(A, B)) :- house_of(Pairs, A, HA), house_of(Pairs, B, HB), abs(HA - HB) #= 1.
post(Pairs, in_house(A, I)) :- house_of(Pairs, A, HA), HA #= I.
post(Pairs, not_in_house(A, I)) :- house_of(Pairs, A, HA), HA #\\= I.

row(Pairs, House, Row) :-
    findall(V, (attribute(_, Vs), member(V, Vs), memberchk(V-House, Pairs)), Row).

answer(_{houses: Rows, solutions: Count}) :-
    model(Pairs, Houses),
    label(Houses),
    houses(N),
    numlist(1, N, Ns),
    maplist(row(Pairs), Ns, Rows),
    aggregate_all(count, (model(_, Hs), label(Hs)), Count).
"""

TRACE = CSP_TRACE + """
trace_search :-
    model(Pairs, Houses),
    pairs_keys(Pairs, Values),
    forall(tlabel(Houses, Values), true).
"""

ATTRIBUTES = {
    "color": ("red", "green", "blue", "white"),
    "pet": ("dog", "cat", "fish", "bird"),
    "drink": ("tea", "milk", "coffee", "water"),
}
KINDS = (("same", "left_of", "in_house"), ("same", "left_of", "in_house"),
         ("same", "left_of", "in_house", "next_to", "not_in_house"))


def clue_text(clue: list) -> str:
    kind, a, b = clue
    if kind == "same":
        return f"The {a} and the {b} are in the same house."
    if kind == "left_of":
        return f"The {a} is in the house immediately left of the {b}."
    if kind == "next_to":
        return f"The {a} and the {b} are in neighbouring houses."
    if kind == "in_house":
        return f"The {a} is in house {b}."
    return f"The {a} is not in house {b}."


@dataclass(frozen=True)
class ZebraConfig(PrologConfig):
    clues: tuple[tuple[int, int], ...] = ((4, 6), (8, 11), (9, 12))

    def __post_init__(self):
        super().__post_init__()
        require(len(self.clues) == 3, "clues", "one range per evolution level (3)")
        for i, (low, high) in enumerate(self.clues):
            require(1 <= low <= high <= 30, f"clues[{i}]", "a range within 1..30")


class Zebra(PrologFamily):
    name = "zebra"
    title = "zebra-style assignment puzzles (CLP(FD))"
    Config = ZebraConfig

    def build(self, config: ZebraConfig, rng: random.Random) -> Instance:
        level = config.evolution
        n, k = (3, 2) if level == 0 else (4, 3)
        names = list(ATTRIBUTES)[:k]
        attrs = {a: list(ATTRIBUTES[a][:n]) for a in names}
        hidden = {}  # value -> house
        for a in names:
            houses = list(range(1, n + 1))
            rng.shuffle(houses)
            hidden.update(zip(attrs[a], houses, strict=True))
        values = [v for a in names for v in attrs[a]]
        clues: list[list] = []
        wanted = rng.randint(*config.clues[level])
        for _ in range(300):
            if len(clues) >= wanted:
                break
            kind = rng.choice(KINDS[level])
            a, b = rng.sample(values, 2)
            # values of one attribute never share a house, so an equal house means different attributes
            if kind == "same" and hidden[a] == hidden[b]:
                clue = ["same", a, b]
            elif kind == "left_of" and hidden[a] + 1 == hidden[b]:
                clue = ["left_of", a, b]
            elif kind == "next_to" and abs(hidden[a] - hidden[b]) == 1:
                clue = ["next_to", a, b]
            elif kind == "in_house":
                clue = ["in_house", a, hidden[a]]
            elif kind == "not_in_house":
                clue = ["not_in_house", a, rng.choice([h for h in range(1, n + 1) if h != hidden[a]])]
            else:
                continue
            if clue not in clues:
                clues.append(clue)
        facts = [f"houses({n})."] + [f"attribute({a}, [{', '.join(attrs[a])}])." for a in names]
        facts += [f"clue({c[0]}({c[1]}, {c[2]}))." for c in clues]
        text = program("\n".join(facts), MODEL, clpfd=True)
        listing_attrs = "; ".join(f"{a}s: {', '.join(attrs[a])}" for a in names)
        statement = (f"{n} houses stand in a row, numbered 1 to {n} from left to right. Each house has exactly one "
                     f"value of each attribute, and no two houses share a value ({listing_attrs}). Clues: "
                     + " ".join(clue_text(c) for c in clues)
                     + " Count the arrangements that satisfy every clue, and give the first one in this search "
                     "order: decide the house of each value in the order the values are listed above, trying "
                     "houses from 1 upwards.")
        return Instance(
            problem={"attributes": attrs, "clues": clues},
            program=text,
            statement=statement,
            answer_format=('{"houses": [[values in house 1, in the attribute order above], [house 2], ...], '
                           '"solutions": number of arrangements}.'),
            trace_addon=TRACE,
            render_trace=csp_renderer(lambda v: f"the house of the {v}", lambda h: f"house {h}"),
            difficulty={"houses": n, "attributes": k, "clues": len(clues)},
        )


ZebraExecution, ZebraSolve = make_tasks(Zebra)
