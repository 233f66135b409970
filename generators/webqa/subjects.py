"""Subject area of a question from keywords (a cheap, deterministic stand-in for a classifier model).

Scores count whole-word keyword hits; ties go to the earlier subject in ``SUBJECTS`` so the result never
depends on dict order. ``other`` when nothing matches.
"""

from __future__ import annotations

import re

SUBJECTS: dict[str, tuple[str, ...]] = {
    "mathematics": ("equation", "integer", "prime", "triangle", "derivative", "integral", "probability", "matrix",
                    "polynomial", "solve", "sum", "fraction", "percent", "percentage", "circle", "area", "angle",
                    "divisible", "factor", "factorial", "sequence", "logarithm", "determinant", "vector", "simplify",
                    "geometry", "algebra", "digits", "remainder", "mean", "median", "square", "root"),
    "physics": ("velocity", "acceleration", "force", "mass", "energy", "momentum", "speed", "gravity", "friction",
                "voltage", "current", "resistance", "circuit", "wave", "frequency", "newton", "joule", "photon",
                "pendulum", "projectile", "kinetic", "potential", "magnetic", "charge", "km/h", "m/s"),
    "chemistry": ("molecule", "atom", "reaction", "mole", "moles", "molar", "acid", "base", "ph", "oxidation",
                  "electron", "bond", "compound", "element", "periodic", "chemical", "sodium", "chloride", "carbon",
                  "hydrogen", "oxygen", "solution", "concentration", "isotope"),
    "biology": ("cell", "dna", "rna", "protein", "gene", "enzyme", "organism", "species", "evolution",
                "photosynthesis", "mitochondria", "chromosome", "bacteria", "virus", "tissue", "organ", "blood"),
    "computer_science": ("algorithm", "complexity", "binary", "array", "python", "function", "compiler", "bit",
                         "bits", "byte", "bytes", "graph", "tree", "sorting", "recursion", "hash", "runtime",
                         "big-o", "string", "loop", "program", "boolean"),
    "economics": ("price", "demand", "supply", "inflation", "interest", "gdp", "market", "cost", "profit",
                  "revenue", "tax", "elasticity", "loan", "investment"),
    "history": ("war", "empire", "century", "king", "revolution", "treaty", "dynasty", "president", "ancient"),
    "geography": ("capital", "country", "river", "mountain", "continent", "ocean", "population", "city"),
}
_WORD = re.compile(r"[a-z][a-z0-9/\-]*")


def classify(question: str) -> str:
    words = _WORD.findall(question.lower())
    best, best_score = "other", 0
    for subject, keys in SUBJECTS.items():
        keyset = set(keys)
        score = sum(1 for w in words if w in keyset)
        if score > best_score:
            best, best_score = subject, score
    return best
