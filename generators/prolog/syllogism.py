"""prolog/syllogism: does a categorical conclusion follow from chained premises?

Premises are "All A are B", "No A are B" and "Some A are B", all true in a hidden random model (so the set
is consistent). A conclusion follows when these rules derive it: All is reflexive and transitive; All X are A,
No A are B (either way round) and All Y are B give No X are Y; Some P are Q (either way round) with All P are
X and All Q are Y gives Some X are Y. Evolution: 0 = 4-5 categories; 1 = 6-8 categories and more premises;
2 = 6-8 categories and another objective: every category C such that "All X are C" follows.

Difficulty levels (``difficulty: N``): 1-3 = evolution 0-2. More categories and premises (up to 18) add no
measurable solver work (p50 about 165 SWI-Prolog inferences at every size over 30 draws, bench/difficulty.py),
so they stay knobs rather than levels.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.config import require
from reasonry.generators.prolog.common import Instance, PrologConfig, PrologFamily, level, listing, program

RULES = """
% every category reachable from X over All-premises, X included, in breadth-first order
all_closure(X, Closure) :-
    closure([X], [X], Closure).

closure([], Seen, Seen).
closure([C|Queue], Seen, Closure) :-
    findall(D, (all(C, D), \\+ memberchk(D, Seen)), Ds0),
    sort(Ds0, Ds),
    append(Seen, Ds, Seen1),
    append(Queue, Ds, Queue1),
    closure(Queue1, Seen1, Closure).

disjoint(A, B) :- no(A, B).
disjoint(A, B) :- no(B, A).

overlap(A, B) :- some(A, B).
overlap(A, B) :- some(B, A).

follows(all, X, Y) :-
    all_closure(X, Up),
    memberchk(Y, Up).
follows(no, X, Y) :-
    all_closure(X, UpX),
    all_closure(Y, UpY),
    member(A, UpX),
    member(B, UpY),
    disjoint(A, B), !.
follows(some, X, Y) :-
    overlap(P, Q),
    all_closure(P, UpP),
    all_closure(Q, UpQ),
    memberchk(X, UpP),
    memberchk(Y, UpQ), !.
"""

ANSWER = """
answer(_{follows: Answer}) :-
    question(Kind, X, Y),
    (   follows(Kind, X, Y)
    ->  Answer = true
    ;   Answer = false
    ).
"""

ANSWER_ALL = """
answer(_{supersets: Sorted}) :-
    question(all, X, _),
    all_closure(X, Up),
    sort(Up, Sorted).
"""

TRACE = """
trace_search :-
    question(Kind, X, Y),
    all_closure(X, UpX),
    note(up(X, UpX)),
    (   Kind == no
    ->  all_closure(Y, UpY),
        note(up(Y, UpY)),
        (   member(A, UpX), member(B, UpY), disjoint(A, B)
        ->  note(disjoint(A, B))
        ;   note(no_disjoint)
        )
    ;   Kind == some
    ->  forall(overlap(P, Q),
               (   all_closure(P, UpP), all_closure(Q, UpQ),
                   (   memberchk(X, UpP), memberchk(Y, UpQ)
                   ->  note(some_ok(P, Q))
                   ;   note(some_no(P, Q))
                   )
               ))
    ;   true
    ).
"""

WORDS = ("blickets", "daxes", "feps", "glorbs", "hoons", "jibs", "kwaks", "lurms", "mibs", "norks", "plinks",
         "quasps", "rilks", "snerbs", "tovs", "vexes", "wugs", "zorps")
KIND_TEXT = {"all": "All {x} are {y}", "no": "No {x} are {y}", "some": "Some {x} are {y}"}


def render_for(question: dict):
    kind, x, y = question["kind"], question["x"], question["y"]

    def render(events: list, value: dict) -> list[str]:
        lines = []
        for tag, *args in events:
            if tag == "up":
                lines.append(f"Following All-premises upwards from {args[0]} reaches {listing(args[1])}.")
            elif tag == "disjoint":
                lines.append(f"{args[0]} and {args[1]} are stated to be disjoint, so no {x} is a {y}"
                             " (every one of them falls into disjoint categories).")
            elif tag == "no_disjoint":
                lines.append("No category above the first is stated disjoint from one above the second.")
            elif tag == "some_ok":
                lines.append(f"Some {args[0]} are {args[1]}, and both lead up to the asked categories: "
                             f"so some {x} are {y}.")
            elif tag == "some_no":
                lines.append(f"Some {args[0]} are {args[1]}, but these do not lead up to both {x} and {y}.")
        if kind == "all" and "follows" in value:
            lines.append(f"{y} {'is' if value['follows'] else 'is not'} among them.")
        if kind == "some" and not any(e[0] == "some_ok" for e in events):
            lines.append("No Some-premise supports the conclusion.")
        return lines

    return render


@dataclass(frozen=True)
class SyllogismConfig(PrologConfig):
    categories: tuple[tuple[int, int], ...] = ((4, 5), (6, 8), (6, 8))
    premises: tuple[tuple[int, int], ...] = ((4, 5), (6, 9), (6, 9))
    universe: int = 6

    def __post_init__(self):
        super().__post_init__()
        for name in ("categories", "premises"):
            ranges = getattr(self, name)
            require(len(ranges) == 3, name, "one range per evolution level (3)")
            for i, (low, high) in enumerate(ranges):
                require(2 <= low <= high <= len(WORDS), f"{name}[{i}]", f"a range within 2..{len(WORDS)}")
        require(2 <= self.universe <= 12, "universe", "must be in 2..12")


class Syllogism(PrologFamily):
    name = "syllogism"
    Config = SyllogismConfig

    def build(self, config: SyllogismConfig, rng: random.Random) -> Instance | None:
        level = config.evolution
        k = rng.randint(*config.categories[level])
        cats = rng.sample(WORDS, k)
        # A hidden model keeps the premises consistent; nested sets make All-chains likely.
        members: dict[str, set[int]] = {}
        for c in cats:
            if members and rng.random() < 0.6:
                parent = members[rng.choice(sorted(members))]
                members[c] = {e for e in parent if rng.random() < 0.7} or set(parent)
            else:
                members[c] = set(rng.sample(range(config.universe), rng.randint(1, config.universe - 1)))
        true_facts = []
        for a in cats:
            for b in cats:
                if a == b:
                    continue
                if members[a] <= members[b]:
                    true_facts.append(["all", a, b])
                if not members[a] & members[b] and a < b:
                    true_facts.append(["no", a, b])
                if members[a] & members[b] and a < b:
                    true_facts.append(["some", a, b])
        if not true_facts:
            return None
        # Half the premises (when there are enough) are All-premises, so that chains form.
        wanted = rng.randint(*config.premises[level])
        alls = [f for f in true_facts if f[0] == "all"]
        chosen = rng.sample(alls, min(len(alls), wanted // 2 + 1))
        rest = [f for f in true_facts if f not in chosen]
        premises = sorted(chosen + rng.sample(rest, min(len(rest), wanted - len(chosen))))
        x, y = rng.sample(cats, 2)
        kind = "all" if level == 2 else rng.choice(["all", "no", "some"])
        facts = [":- dynamic all/2.", ":- dynamic no/2.", ":- dynamic some/2."]
        facts += [f"{p}({a}, {b})." for p, a, b in premises] + [f"question({kind}, {x}, {y})."]
        text = program("\n".join(facts), RULES, ANSWER_ALL if level == 2 else ANSWER)
        said = " ".join(KIND_TEXT[p].format(x=a, y=b) + "." for p, a, b in premises)
        rules = ("Use these rules only: All is transitive and every category is contained in itself; if all X are "
                 "A, all Y are B and no A are B (or no B are A), then no X are Y; if some P are Q (or some Q are "
                 "P), all P are X and all Q are Y, then some X are Y.")
        if level == 2:
            statement = (f"Premises: {said} {rules} List every category C such that \"All {x} are C\" follows "
                         f"({x} itself included), sorted alphabetically.")
            fmt = '{"supersets": [categories, sorted alphabetically]}.'
        else:
            conclusion = KIND_TEXT[kind].format(x=x, y=y)
            statement = f"Premises: {said} {rules} Does \"{conclusion}\" follow?"
            fmt = '{"follows": true or false}.'
        question = {"kind": kind, "x": x, "y": y}
        return Instance(
            problem={"premises": premises, "question": question},
            program=text,
            statement=statement,
            answer_format=fmt,
            trace_addon=TRACE,
            render_trace=render_for(question),
            difficulty={"categories": k, "premises": len(premises)},
        )


def _levels() -> tuple[dict, ...]:
    c = SyllogismConfig
    return (
        level(c, 0),
        level(c, 1),
        level(c, 2),
    )


Syllogism.levels = _levels()
FAMILY = Syllogism
