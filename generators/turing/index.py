"""TAIL tasks: name -> ("module:Class", description). Kept import-free so listing tasks is instant."""

_M = "reasonry.generators.turing"

TASKS: dict[str, tuple[str, str]] = {
    "tail/addition": (f"{_M}.addition:AdditionTask", "large-number addition, one digit column per state"),
}
