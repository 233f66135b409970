"""PDDL tasks: name -> ("module:Class", description). Kept import-free so listing tasks is instant."""

_M = "reasonry.generators.pddl"
DOMAINS = ("blocksworld", "ferry", "gripper", "logistics", "miconic", "visitall")
_KINDS = {
    "plan_generation": ("PlanGeneration", "any valid plan (reference: Fast Downward, satisficing)"),
    "plan_generation_optimal": ("PlanGenerationOptimal", "a cost-optimal plan (reference: Fast Downward A*+LM-cut)"),
    "plan_completion": ("PlanCompletion", "fill the blanked steps of a plan; given steps stay in place"),
    "plan_reordering": ("PlanReordering", "order the shuffled steps of a plan into a valid plan"),
    "plan_validation": ("PlanValidation", "is this plan valid? else the first failing step and unmet precondition"),
}

TASKS: dict[str, tuple[str, str]] = {
    f"pddl/{domain}/{kind}": (f"{_M}.{domain}:{cls}", f"{domain}: {text}")
    for domain in DOMAINS
    for kind, (cls, text) in _KINDS.items()
}
