"""PDDL tasks: name -> description, every kind for every domain. Import-free so listing tasks is instant; the
task classes come from ``tasks.variant`` (a kind bound to a domain module's ``DOMAIN``)."""

DOMAINS = ("blocksworld", "ferry", "gripper", "logistics", "miconic", "visitall")
_KINDS = {
    "plan_generation": "any valid plan (reference: Fast Downward, satisficing)",
    "plan_generation_optimal": "a cost-optimal plan (reference: Fast Downward A*+LM-cut)",
    "plan_completion": "fill the blanked steps of a plan; given steps stay in place",
    "plan_reordering": "order the shuffled steps of a plan into a valid plan",
    "plan_validation": "is this plan valid? else the first failing step and unmet precondition",
}

TASKS: dict[str, str] = {
    f"pddl/{domain}/{kind}": f"{domain}: {text}" for domain in DOMAINS for kind, text in _KINDS.items()
}
VARIANTS = "reasonry.generators.pddl.tasks:variant"
