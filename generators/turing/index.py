"""TAIL tasks: name -> ("module:Class", description). Kept import-free so listing tasks is instant."""

_M = "reasonry.generators.turing"

TASKS: dict[str, tuple[str, str]] = {
    "tail/addition": (f"{_M}.addition:AdditionTask", "large-number addition, one digit column per state"),
    "tail/knapsack": (f"{_M}.knapsack:KnapsackTask", "0-1 knapsack optimum, one DP cell per state"),
    "tail/lcs": (f"{_M}.lcs:LcsTask", "longest common subsequence length, one DP cell per state"),
    "tail/levenshtein": (f"{_M}.levenshtein:LevenshteinTask", "edit distance, one DP cell per state"),
    "tail/binary_search": (f"{_M}.binary_search:BinarySearchTask", "index of a value in a sorted list, -1 if absent"),
    "tail/palindrome_combination": (f"{_M}.palindrome_combination:PalindromeCombinationTask",
                                    "distinct palindromic arrangements of a list, by backtracking"),
    "tail/population_growth": (f"{_M}.population_growth:PopulationGrowthTask",
                               "pairs after n units (breeding from age x, y initial pairs, z per unit)"),
    "tail/dijkstra": (f"{_M}.dijkstra:DijkstraTask", "single-source shortest distances, inf if unreachable"),
    "tail/multi_machine_schedule": (f"{_M}.multi_machine_schedule:MultiMachineScheduleTask",
                                    "max benefit of unit tasks with deadlines on x machines (greedy)"),
    "tail/count_letters": (f"{_M}.count_letters:CountLettersTask", "occurrences of a letter in a sentence"),
    "tail/diophantine": (f"{_M}.diophantine:DiophantineTask", "non-negative solutions of a*x + b*y = n"),
    "tail/prime_search": (f"{_M}.prime_search:PrimeSearchTask", "all primes in [n, m] by trial division"),
    "tail/division": (f"{_M}.division:DivisionTask", "long division, quotient truncated after a few decimals"),
    "tail/bubble_sort": (f"{_M}.bubble_sort:BubbleSortTask", "bubble sort of n distinct integers"),
    "tail/word_flip": (f"{_M}.word_flip:WordFlipTask", "reverse a sentence character by character"),
    "tail/compare_numbers": (f"{_M}.compare_numbers:CompareNumbersTask", "compare two decimals: <, = or >"),
    "tail/any_substring": (f"{_M}.any_substring:AnySubstringTask", "all distinct substrings, by recursion"),
    "tail/derangement": (f"{_M}.derangement:DerangementTask", "derangement count D(n), exact big integer"),
}
