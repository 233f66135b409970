"""prolog/kinship: who stands in a given relation to a person of a generated family tree.

The tree is a set of ``parent/2`` facts; relations are rules over them. Evolution: 0 = three generations,
relations grandparent/sibling/aunt_or_uncle/cousin; 1 = four generations, plus ancestor/descendant;
2 = four generations, plus second cousins and gendered relations (grandmother, uncle).

Difficulty levels (``difficulty: N``): 1-3 = evolution 0-2. Deeper trees (``generations``) do not make the
queries measurably harder (SWI-Prolog inferences, bench/difficulty.py), so they are a knob, not a level.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.config import require
from reasonry.generators.prolog.common import Instance, PrologConfig, PrologFamily, level, listing, program
from reasonry.levels import knob

RULES = """
sibling(X, Y) :- parent(P, X), parent(P, Y), X \\== Y.
grandparent(G, X) :- parent(G, P), parent(P, X).
aunt_or_uncle(A, X) :- parent(P, X), sibling(A, P).
cousin(X, Y) :- parent(P, X), parent(Q, Y), sibling(P, Q).
ancestor(A, X) :- parent(A, X).
ancestor(A, X) :- parent(A, P), ancestor(P, X).
second_cousin(X, Y) :- parent(P, X), parent(Q, Y), cousin(P, Q).
grandmother(G, X) :- grandparent(G, X), female(G).
uncle(U, X) :- aunt_or_uncle(U, X), male(U).

% related(Relation, Person, Other): Other is Person's <Relation>.
related(grandparent, X, Y) :- grandparent(Y, X).
related(sibling, X, Y) :- sibling(X, Y).
related(aunt_or_uncle, X, Y) :- aunt_or_uncle(Y, X).
related(cousin, X, Y) :- cousin(X, Y).
related(ancestor, X, Y) :- ancestor(Y, X).
related(descendant, X, Y) :- ancestor(X, Y).
related(second_cousin, X, Y) :- second_cousin(X, Y).
related(grandmother, X, Y) :- grandmother(Y, X).
related(uncle, X, Y) :- uncle(Y, X).

answer(_{person: X, relation: R, answer: Ys}) :-
    query(X, R),
    findall(Y, related(R, X, Y), Found),
    sort(Found, Ys).
"""

# The same relations with the parent facts each answer rests on, in the order Prolog finds them.
TRACE = """
why(grandparent, X, Y, [[Y, P], [P, X]]) :- parent(Y, P), parent(P, X).
why(sibling, X, Y, [[P, X], [P, Y]]) :- parent(P, X), parent(P, Y), X \\== Y.
why(aunt_or_uncle, X, Y, [[P, X], [G, P], [G, Y]]) :- parent(P, X), parent(G, P), parent(G, Y), Y \\== P.
why(cousin, X, Y, [[P, X], [G, P], [G, Q], [Q, Y]]) :-
    parent(P, X), parent(G, P), parent(G, Q), Q \\== P, parent(Q, Y).
why(ancestor, X, Y, Chain) :- up(X, Y, Chain).
why(descendant, X, Y, Chain) :- up(Y, X, Chain).
why(second_cousin, X, Y, [[P, X], [G, P], [GG, G], [GG, H], [H, Q], [Q, Y]]) :-
    parent(P, X), parent(G, P), parent(GG, G), parent(GG, H), H \\== G, parent(H, Q), parent(Q, Y).
why(grandmother, X, Y, [[Y, P], [P, X]]) :- parent(Y, P), parent(P, X), female(Y).
why(uncle, X, Y, [[P, X], [G, P], [G, Y]]) :- parent(P, X), parent(G, P), parent(G, Y), Y \\== P, male(Y).

up(X, A, [[A, X]]) :- parent(A, X).
up(X, A, [[P, X]|Chain]) :- parent(P, X), up(P, A, Chain).

trace_search :-
    query(X, R),
    forall(why(R, X, Y, Chain), note(found(Y, Chain))).
"""

PHRASES = {
    "grandparent": "grandparents", "sibling": "siblings", "aunt_or_uncle": "aunts and uncles",
    "cousin": "first cousins", "ancestor": "ancestors", "descendant": "descendants",
    "second_cousin": "second cousins", "grandmother": "grandmothers", "uncle": "uncles",
}
LEVEL_RELATIONS = (
    ("grandparent", "sibling", "aunt_or_uncle", "cousin"),
    ("grandparent", "sibling", "aunt_or_uncle", "cousin", "ancestor", "descendant"),
    ("cousin", "ancestor", "descendant", "second_cousin", "grandmother", "uncle"),
)
FEMALE = ("ada", "bea", "cleo", "dora", "eva", "fay", "gwen", "hana", "iris", "jade", "kim", "lena", "mia",
          "nora", "olga", "pia", "rosa", "sara", "tess", "una", "vera", "wynn", "xena", "yara", "zoe")
MALE = ("abe", "ben", "carl", "dan", "eli", "finn", "gus", "hugo", "ivan", "jon", "karl", "leo", "max",
        "ned", "otto", "paul", "quin", "rex", "sam", "tom", "ugo", "vic", "walt", "xavi", "yuri", "zack")


def render(events: list, value: dict) -> list[str]:
    person, phrase = value.get("person"), PHRASES.get(str(value.get("relation")), value.get("relation"))
    lines = [f"Search the parent facts for {person}'s {phrase}."]
    for _tag, other, chain in events:
        facts = listing([f"{a} is a parent of {b}" for a, b in chain])
        lines.append(f"{other}: {facts}.")
    if not events:
        lines.append("No combination of parent facts fits the rule.")
    lines.append(f"Removing duplicates and sorting: {listing(value.get('answer', [])) or 'nobody'}.")
    return lines


@dataclass(frozen=True)
class KinshipConfig(PrologConfig):
    max_children: int = 3
    generations: tuple[int, ...] = knob((3, 4, 4))  # per evolution level

    def __post_init__(self):
        super().__post_init__()
        require(1 <= self.max_children <= 4, "max_children", "must be in 1..4")
        require(len(self.generations) == 3 and all(2 <= g <= 6 for g in self.generations), "generations",
                "one count in 2..6 per evolution level (3)")


class Kinship(PrologFamily):
    name = "kinship"
    Config = KinshipConfig

    def build(self, config: KinshipConfig, rng: random.Random) -> Instance | None:
        generations = config.generations[config.evolution]
        female, male = list(FEMALE), list(MALE)
        rng.shuffle(female)
        rng.shuffle(male)
        people: dict[str, str] = {}

        def person(sex: str) -> str | None:
            pool = female if sex == "f" else male
            if not pool:
                return None
            name = pool.pop()
            people[name] = sex
            return name

        parents: list[list[str]] = []
        first_mother, first_father = person("f"), person("m")
        if first_mother is None or first_father is None:
            return None
        couples = [(first_mother, first_father)]
        for gen in range(1, generations):
            next_couples: list[tuple[str, str]] = []
            for mother, father in couples:
                for _ in range(rng.randint(1 if gen < generations - 1 else 0, config.max_children)):
                    child = person(rng.choice("fm"))
                    if child is None:
                        return None
                    parents += [[mother, child], [father, child]]
                    if gen < generations - 1 and rng.random() < 0.8:
                        spouse = person("m" if people[child] == "f" else "f")
                        if spouse is None:
                            return None
                        next_couples.append((child, spouse) if people[child] == "f" else (spouse, child))
            couples = next_couples
        youngest = [c for _, c in parents if not any(p == c for p, _ in parents)]
        relation = rng.choice(LEVEL_RELATIONS[config.evolution])
        pool = youngest if relation not in ("descendant",) else sorted(people)
        subject = rng.choice(sorted(set(pool)))
        facts = [f"parent({p}, {c})." for p, c in parents]
        facts += [f"{'female' if people[n] == 'f' else 'male'}({n})." for n in sorted(people)]
        facts.append(f"query({subject}, {relation}).")
        text = program("\n".join(facts), RULES)
        family_text = " ".join(f"{p.title()} is a parent of {c.title()}." for p, c in parents)
        sexes = listing([n.title() for n in sorted(people) if people[n] == "f"])
        statement = (f"{family_text} The women are {sexes}; everyone else is a man. Using only these facts, "
                     f"who are {subject.title()}'s {PHRASES[relation]}? (Siblings share at least one parent; "
                     "cousins are children of siblings; second cousins are children of first cousins.)")
        return Instance(
            problem={"parents": parents, "female": sorted(n for n in people if people[n] == "f"),
                     "person": subject, "relation": relation},
            program=text,
            statement=statement,
            answer_format=(f'{{"person": "{subject}", "relation": "{relation}", "answer": [names in lower case, '
                           "sorted alphabetically]}."),
            trace_addon=TRACE,
            render_trace=render,
            difficulty={"people": len(people), "generations": generations},
        )


def _levels() -> tuple[dict, ...]:
    c = KinshipConfig
    return (
        level(c, 0),
        level(c, 1),
        level(c, 2),
    )


Kinship.levels = _levels()
FAMILY = Kinship
