"""A grounded STRIPS view of a unified-planning problem: atoms as tuples, actions as (pre, add, delete, cost).

Our domains are typed STRIPS (positive conjunctive preconditions, add/delete effects, constant action costs).
This view is what explains a failure ("step 3: (clear b) does not hold") and what the state-progression trace
is written and replayed with; the verdict on a plan itself comes from unified-planning's validator.
Anything outside that fragment raises ``UnsupportedModel`` with the offending construct named.
"""

from __future__ import annotations

from dataclasses import dataclass

Atom = tuple[str, ...]


class UnsupportedModel(ValueError):
    """The domain uses PDDL beyond typed STRIPS with action costs."""


class GroundingError(ValueError):
    """An action name, arity or object that does not fit the domain; the message is the verdict's reason."""


def show(atom: Atom) -> str:
    return "(" + " ".join(atom) + ")"


@dataclass(frozen=True)
class Schema:
    name: str
    params: tuple[tuple[str, str], ...]  # (parameter name, type name)
    pre: tuple[Atom, ...]  # atoms over parameter names (prefixed '?') and constants
    add: tuple[Atom, ...]
    delete: tuple[Atom, ...]
    cost: int


@dataclass(frozen=True)
class Ground:
    name: str
    args: tuple[str, ...]
    pre: tuple[Atom, ...]
    add: tuple[Atom, ...]
    delete: tuple[Atom, ...]
    cost: int

    def text(self) -> str:
        return show((self.name, *self.args))


class StripsModel:
    def __init__(self, schemas: dict[str, Schema], objects: dict[str, str], parents: dict[str, str | None],
                 init: frozenset[Atom], goal: tuple[Atom, ...], static: frozenset[str]):
        self.schemas = schemas
        self.objects = objects
        self.parents = parents
        self.init = init
        self.goal = goal
        self.static = static  # predicates no action changes

    def is_a(self, type_name: str, wanted: str) -> bool:
        t: str | None = type_name
        while t is not None:
            if t == wanted:
                return True
            t = self.parents.get(t)
        return wanted == "object"

    def ground(self, name: str, args: tuple[str, ...] | list[str]) -> Ground:
        schema = self.schemas.get(name)
        if schema is None:
            raise GroundingError(f"unknown action {name!r} (the domain has {', '.join(sorted(self.schemas))})")
        if len(args) != len(schema.params):
            raise GroundingError(f"{name!r} takes {len(schema.params)} argument(s), got {len(args)}")
        binding = {}
        for arg, (param, type_name) in zip(args, schema.params, strict=True):
            if arg not in self.objects:
                raise GroundingError(f"unknown object {arg!r} in ({name} {' '.join(args)})")
            if not self.is_a(self.objects[arg], type_name):
                raise GroundingError(f"object {arg!r} is a {self.objects[arg]}, but {param} of {name!r} "
                                     f"needs a {type_name}")
            binding[param] = arg

        def sub(atoms: tuple[Atom, ...]) -> tuple[Atom, ...]:
            return tuple((a[0], *(binding.get(x, x) for x in a[1:])) for a in atoms)

        return Ground(name, tuple(args), sub(schema.pre), sub(schema.add), sub(schema.delete), schema.cost)

    def fluent(self, state: frozenset[Atom]) -> list[Atom]:
        """The atoms of ``state`` that some action can change, sorted (static facts never need re-writing)."""
        return sorted(a for a in state if a[0] not in self.static)

    def static_atoms(self) -> list[Atom]:
        return sorted(a for a in self.init if a[0] in self.static)


def apply(state: frozenset[Atom], action: Ground) -> frozenset[Atom]:
    """Delete-then-add, as PDDL's semantics has it."""
    return (state - set(action.delete)) | set(action.add)


def unmet(state: frozenset[Atom], atoms: tuple[Atom, ...]) -> list[Atom]:
    return [a for a in atoms if a not in state]


def from_up(problem) -> StripsModel:
    """Ground facts and lifted action schemas of a unified-planning ``Problem``."""
    from unified_planning.model.metrics import MinimizeActionCosts

    costs = {}
    for metric in problem.quality_metrics:
        if isinstance(metric, MinimizeActionCosts):
            for action in problem.actions:
                value = metric.get_action_cost(action)
                if value is None or not value.is_int_constant():
                    raise UnsupportedModel(f"action {action.name!r} has a non-constant cost")
                costs[action.name] = value.constant_value()
        else:
            raise UnsupportedModel(f"unsupported quality metric {metric}")
    schemas = {}
    for action in problem.actions:
        params = tuple((p.name, p.type.name) for p in action.parameters)
        pre: list[Atom] = []
        for condition in action.preconditions:
            pre.extend(_conjuncts(condition, action.name))
        add, delete = [], []
        for effect in action.effects:
            if not effect.is_assignment() or not effect.condition.is_true() or effect.is_forall():
                raise UnsupportedModel(f"action {action.name!r} has a non-STRIPS effect: {effect}")
            atom = _atom(effect.fluent, action.name)
            if effect.value.is_true():
                add.append(atom)
            elif effect.value.is_false():
                delete.append(atom)
            else:
                raise UnsupportedModel(f"action {action.name!r} assigns a non-boolean value: {effect}")
        schemas[action.name] = Schema(action.name, params, tuple(pre), tuple(add), tuple(delete),
                                      int(costs.get(action.name, 1)))
    objects = {o.name: o.type.name for o in problem.all_objects}
    parents = {t.name: (t.father.name if t.father is not None else None) for t in problem.user_types}
    init = []
    for fluent_exp, value in problem.explicit_initial_values.items():
        if not value.is_bool_constant():
            raise UnsupportedModel(f"non-boolean initial value {fluent_exp} = {value}")
        if value.bool_constant_value():
            init.append(_atom(fluent_exp, "init"))
    goal: list[Atom] = []
    for g in problem.goals:
        goal.extend(_conjuncts(g, "goal"))
    changed = {a[0] for s in schemas.values() for a in (*s.add, *s.delete)}
    static = frozenset(f.name for f in problem.fluents if f.name not in changed)
    return StripsModel(schemas, objects, parents, frozenset(init), tuple(goal), static)


def _conjuncts(node, where: str) -> list[Atom]:
    if node.is_and():
        out: list[Atom] = []
        for arg in node.args:
            out.extend(_conjuncts(arg, where))
        return out
    if node.is_true():
        return []
    if node.is_fluent_exp():
        return [_atom(node, where)]
    raise UnsupportedModel(f"{where}: only conjunctions of positive atoms are supported, got {node}")


def _atom(node, where: str) -> Atom:
    if not node.is_fluent_exp():
        raise UnsupportedModel(f"{where}: expected an atom, got {node}")
    args = []
    for arg in node.args:
        if arg.is_parameter_exp():
            args.append(arg.parameter().name)
        elif arg.is_object_exp():
            args.append(arg.object().name)
        else:
            raise UnsupportedModel(f"{where}: unsupported argument {arg} in {node}")
    return (node.fluent().name, *args)
