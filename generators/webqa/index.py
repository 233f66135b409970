"""Web Q&A tasks: name -> description, and the factory that gives each name its class. Import-free so listing
tasks is instant."""

VARIANTS = "reasonry.generators.webqa.task:variant"

TASKS: dict[str, str] = {
    "webqa/qa": "question/answer pairs with human-written short answers from web pages",
}
