"""prolog/knights_knaves: knights always tell the truth, knaves always lie; who is which? (CLP(FD) booleans)

Every islander makes one statement; the answer lists every consistent assignment (as the knights of each,
in search order: islander 1 first, knave before knight). Evolution: 0 = 3 islanders, simple statements;
1 = 4-5 islanders; 2 = 5-6 islanders with compound statements (and, or, "exactly k of us are knights").
``people`` sets the islanders per evolution (up to 20); ``max_solutions`` (0: no limit) gives up draws whose
statements leave no consistent assignment or more than that many, so large islands stay puzzles rather than
listings.

Difficulty levels (``difficulty: N``): 1 = 3, 2 = 4-5, 3 = 5-6 islanders with compound statements, then
compound statements with 8-10, 12-14, 16-18 and 19-20 islanders (at most 4 consistent assignments).
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
    program,
)
from reasonry.levels import knob

MODEL = """
% A person's variable is 1 for a knight and 0 for a knave; B is the truth value of a statement.
holds(knight(P), Vs, B) :- nth1(P, Vs, B).
holds(knave(P), Vs, B) :- nth1(P, Vs, X), B #<==> (X #= 0).
holds(same(P, Q), Vs, B) :- nth1(P, Vs, X), nth1(Q, Vs, Y), B #<==> (X #= Y).
holds(different(P, Q), Vs, B) :- nth1(P, Vs, X), nth1(Q, Vs, Y), B #<==> (X #\\= Y).
holds(and(S, T), Vs, B) :- holds(S, Vs, B1), holds(T, Vs, B2), B #<==> (B1 #/\\ B2).
holds(or(S, T), Vs, B) :- holds(S, Vs, B1), holds(T, Vs, B2), B #<==> (B1 #\\/ B2).
holds(knights(K), Vs, B) :- sum(Vs, #=, S), B #<==> (S #= K).

% A knight's statement is true and a knave's is false: the speaker's variable equals the statement's truth.
island(Vs) :-
    findall(P, person(P, _), Ps),
    same_length(Ps, Vs),
    Vs ins 0..1,
    findall(P-S, says(P, S), Claims),
    maplist(claim(Vs), Claims).

claim(Vs, P-S) :-
    nth1(P, Vs, X),
    holds(S, Vs, B),
    X #= B.

knights_of(Vs, Names) :-
    findall(Name, (nth1(P, Vs, 1), person(P, Name)), Names).

answer(_{solutions: Solutions}) :-
    findall(Names, (island(Vs), label(Vs), knights_of(Vs, Names)), Solutions),
    Solutions \\== [].
"""

TRACE = CSP_TRACE + """
trace_search :-
    island(Vs),
    findall(Name, person(_, Name), Names),
    forall(tlabel(Vs, Names), true).
"""

NAMES = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "henry", "ivy", "jack", "kate", "liam",
         "mia", "noah", "olga", "peter", "quinn", "rosa", "sam", "tina")


def describe(statement, names: list[str]) -> str:
    kind, *args = statement
    if kind == "knight":
        return f"{names[args[0] - 1].title()} is a knight"
    if kind == "knave":
        return f"{names[args[0] - 1].title()} is a knave"
    if kind == "same":
        return f"{names[args[0] - 1].title()} and {names[args[1] - 1].title()} are of the same kind"
    if kind == "different":
        return f"{names[args[0] - 1].title()} and {names[args[1] - 1].title()} are of different kinds"
    if kind == "and":
        return f"{describe(args[0], names)} and {describe(args[1], names)}"
    if kind == "or":
        return f"{describe(args[0], names)} or {describe(args[1], names)}"
    return f"exactly {args[0]} of us {'is a knight' if args[0] == 1 else 'are knights'}"


def prolog_term(statement) -> str:
    kind, *args = statement
    return f"{kind}(" + ", ".join(prolog_term(a) if isinstance(a, list) else str(a) for a in args) + ")"


@dataclass(frozen=True)
class KnightsConfig(PrologConfig):
    people: tuple[tuple[int, int], ...] = ((3, 3), (4, 5), (5, 6))
    max_solutions: int = knob(0)  # give up a draw with more consistent assignments; 0 = no limit

    def __post_init__(self):
        super().__post_init__()
        require(len(self.people) == 3, "people", "one range per evolution level (3)")
        for i, (low, high) in enumerate(self.people):
            require(2 <= low <= high <= len(NAMES), f"people[{i}]", f"a range within 2..{len(NAMES)}")
        require(self.max_solutions >= 0, "max_solutions", "must be >= 0 (0: no limit)")


class KnightsKnaves(PrologFamily):
    name = "knights_knaves"
    Config = KnightsConfig

    def _simple(self, rng: random.Random, speaker: int, n: int) -> list:
        others = [p for p in range(1, n + 1) if p != speaker]
        kind = rng.choice(["knight", "knave", "same", "different"])
        if kind in ("knight", "knave"):
            return [kind, rng.choice(others + [speaker] if rng.random() < 0.2 else others)]
        a, b = rng.sample(range(1, n + 1), 2)
        return [kind, a, b]

    def build(self, config: KnightsConfig, rng: random.Random) -> Instance:
        n = rng.randint(*config.people[config.evolution])
        names = list(NAMES[:n])
        claims = []
        for p in range(1, n + 1):
            if config.evolution == 2 and rng.random() < 0.5:
                kind = rng.choice(["and", "or", "knights"])
                claim = ["knights", rng.randint(0, n)] if kind == "knights" else \
                    [kind, self._simple(rng, p, n), self._simple(rng, p, n)]
            else:
                claim = self._simple(rng, p, n)
            claims.append(claim)
        facts = [f"person({i}, {name})." for i, name in enumerate(names, 1)]
        facts += [f"says({i}, {prolog_term(c)})." for i, c in enumerate(claims, 1)]
        text = program("\n".join(facts), MODEL, clpfd=True)
        said = " ".join(f'{names[i].title()} says: "{describe(c, names)}."' for i, c in enumerate(claims))
        statement = (f"On an island, knights always tell the truth and knaves always lie. You meet "
                     f"{', '.join(n.title() for n in names)}. {said} Find every assignment of knight or knave to "
                     "them that is consistent with all statements. List the assignments in order: decide the "
                     "people in the order they were introduced, trying knave before knight.")
        return Instance(
            problem={"people": names, "claims": claims},
            program=text,
            statement=statement,
            answer_format=('{"solutions": [[knights of the first assignment, lower-case names in order of '
                           'introduction], [knights of the next], ...]}.'),
            trace_addon=TRACE,
            render_trace=csp_renderer(lambda name: str(name).title(),
                                      lambda v: "a knight" if v == 1 else "a knave"),
            difficulty={"people": n, "compound": sum(c[0] in ("and", "or", "knights") for c in claims)},
            check=self._check(config.max_solutions),
        )

    @staticmethod
    def _check(limit: int):
        if not limit:
            return None

        def few_solutions(value: dict) -> tuple[str, str] | None:
            found = len(value.get("solutions", ()))
            if not found:
                return "no_solution", "no assignment is consistent (a level with max_solutions asks for one)"
            if found > limit:
                return "too_many_solutions", f"{found} consistent assignments > max_solutions {limit}"
            return None

        return few_solutions


def _levels() -> tuple[dict, ...]:
    k = KnightsConfig
    return (
        level(k, 0),
        level(k, 1),
        level(k, 2),
        level(k, 2, each={"people": (8, 10)}, max_solutions=4),
        level(k, 2, each={"people": (12, 14)}, max_solutions=4),
        level(k, 2, each={"people": (16, 18)}, max_solutions=4),
        level(k, 2, each={"people": (19, 20)}, max_solutions=4),
    )


KnightsKnaves.levels = _levels()
FAMILY = KnightsKnaves
