"""TAIL tasks: name -> description, the one place a task's name is written. Kept import-free so listing tasks
is instant. Everything else follows from the name ``tail/<x>``: the task is the ``TailTask`` subclass in
``reasonry.generators.turing.<x>`` (found by ``VARIANTS``), its checker is ``reasonry.verifiers.turing.<x>`` and its
line shapes are ``<X>`` in ``reasonry.verifiers.turing.shapes``."""

VARIANTS = "reasonry.generators.turing.common:variant"

TASKS: dict[str, str] = {
    "tail/addition": "large-number addition, one digit column per state",
    "tail/knapsack": "0-1 knapsack optimum, one DP cell per state",
    "tail/lcs": "longest common subsequence length, one DP cell per state",
    "tail/levenshtein": "edit distance, one DP cell per state",
    "tail/binary_search": "index of a value in a sorted list, -1 if absent",
    "tail/palindrome_combination": "distinct palindromic arrangements of a list, by backtracking",
    "tail/population_growth": "pairs after n units (breeding from age x, y initial pairs, z per unit)",
    "tail/dijkstra": "single-source shortest distances, inf if unreachable",
    "tail/multi_machine_schedule": "max benefit of unit tasks with deadlines on x machines (greedy)",
    "tail/count_letters": "occurrences of a letter in a sentence",
    "tail/diophantine": "non-negative solutions of a*x + b*y = n",
    "tail/prime_search": "all primes in [n, m] by trial division",
    "tail/division": "long division, quotient truncated after a few decimals",
    "tail/bubble_sort": "bubble sort of n distinct integers",
    "tail/word_flip": "reverse a sentence character by character",
    "tail/compare_numbers": "compare two decimals: <, = or >",
    "tail/any_substring": "all distinct substrings, by recursion",
    "tail/derangement": "derangement count D(n), exact big integer",
}
