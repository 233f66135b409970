"""Web Q&A tasks: name -> ("module:Class", description). Kept import-free so listing tasks is instant."""

_M = "reasonry.generators.webqa"

TASKS: dict[str, tuple[str, str]] = {
    "webqa/qa": (f"{_M}.task:WebQATask", "question/answer pairs with human-written short answers from web pages"),
}
