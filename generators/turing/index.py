"""TAIL tasks: name -> ("module:Class", description). Kept import-free so listing tasks is instant."""

_M = "reasonry.generators.turing"

TASKS: dict[str, tuple[str, str]] = {
    "tail/addition": (f"{_M}.addition:AdditionTask", "large-number addition, one digit column per state"),
    "tail/division": (f"{_M}.division:DivisionTask", "long division, quotient truncated after a few decimals"),
    "tail/bubble_sort": (f"{_M}.bubble_sort:BubbleSortTask", "bubble sort of n distinct integers"),
    "tail/word_flip": (f"{_M}.word_flip:WordFlipTask", "reverse a sentence character by character"),
    "tail/compare_numbers": (f"{_M}.compare_numbers:CompareNumbersTask", "compare two decimals: <, = or >"),
    "tail/any_substring": (f"{_M}.any_substring:AnySubstringTask", "all distinct substrings, by recursion"),
    "tail/derangement": (f"{_M}.derangement:DerangementTask", "derangement count D(n), exact big integer"),
}
