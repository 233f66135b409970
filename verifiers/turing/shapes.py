"""The line shapes of every TAIL task: kind of state -> (terse line, styled line).

Written once here: the generator of ``tail/<x>`` renders ``<X>`` and the checker of ``tail/<x>`` replays a
trace against it (``reasonry.verifiers.turing.lines``). Nothing here computes anything.
"""

from __future__ import annotations

from reasonry.verifiers.turing.lines import PerRendering, Shapes


def _move(unit: str) -> tuple[str, str]:
    """The transition between two numbered states of one loop."""
    return "Transition {i} -> {next}", f"Next I move from {unit} {{i}} to {unit} {{next}}."


ADDITION = Shapes.of(
    header=("Operands: {a} + {b}", "Line the numbers up on the decimal point: {a} and {b}."),
    state=("State {i}: fetch a={da} b={db} c={carry}; sum={total}; digit={digit} c={out}",
           "Column {i}: I read a={da} and b={db} with carry {carry}. {da} + {db} + {carry} = {total}, so I write "
           "{digit} and carry {out}."),
    move=_move("column"),
    result=("Carry out: {carry}\nResult: {digits}", "The last carry is {carry}, so the digits read {digits}."),
)

DIVISION = Shapes.of(
    header=("Scale: {x1} / {x2} -> {a} / {b}", "Scale both numbers to whole numbers: {x1} / {x2} becomes {a} / {b}."),
    state=("State {i}: fetch r={r} d={d}; cur={cur}; q={q} q*b={prod}; r={rest}",
           "Step {i}: I bring down {d} next to the remainder {r}, which gives {cur}. {b} fits into {cur} {q} times "
           "({q} x {b} = {prod}), so the remainder is {rest}."),
    move=_move("step"),
    move_point=("Transition {i} -> {next} (decimal point)",
                "Next I move from step {i} to step {next}, past the decimal point."),
    stop=("Stop: r={r} places={places}", "I stop with remainder {r} after {places} decimal places."),
    result=("Result: {quotient}", "So the quotient is {quotient}."),
)

_COMPARE_PAIR = "Pass {p}, position {j}: I read a{j}={x} and a{k}={y}. Since {x} is {relation} {y}, I "
BUBBLE_SORT = Shapes.of(
    header=("List: {list}", "Start with the list {list}."),
    swap=("State {p},{j}: fetch a{j}={x} a{k}={y}; {x} > {y} swap; list={list}",
          _COMPARE_PAIR.replace("{relation}", "greater than") + "swap them, and the list is now {list}."),
    keep=("State {p},{j}: fetch a{j}={x} a{k}={y}; {x} < {y} keep; list={list}",
          _COMPARE_PAIR.replace("{relation}", "less than") + "keep them, and the list is now {list}."),
    move=("Transition {p},{j} -> {np},{nj}", "Next I move from pass {p} position {j} to pass {np} position {nj}."),
    end_pass=("End pass {p}: swaps={swaps}", "Pass {p} is over with {swaps} swaps."),
    result=("Result: {list}", "The list is sorted: {list}."),
)

WORD_FLIP = Shapes.of(
    header=("Sentence: {s}", "Read the sentence of {n} characters: {s}"),
    state=("State {i}: fetch s[{p}]='{c}'; write out[{i}]='{c}'",
           "Step {i}: I take character {p} of the sentence, '{c}', and write it at position {i} of the reversed "
           "text."),
    move=_move("step"),
    result=("Result: {out}", "Reading the written characters in order gives: {out}"),
)

_DIGITS = "Digit {i}: the first number has {da} and the second has {db}, so "
COMPARE_NUMBERS = Shapes.of(
    header=("Operands: {a} vs {b}", "Pad the numbers to the same shape around the decimal point: {a} and {b}."),
    tie=("State {i}: fetch a={da} b={db}; equal, next", _DIGITS + "they tie and I move on."),
    greater=("State {i}: fetch a={da} b={db}; a > b, stop", _DIGITS + "the first number is larger."),
    less=("State {i}: fetch a={da} b={db}; a < b, stop", _DIGITS + "the second number is larger."),
    move=_move("digit"),
    result=("Result: {relation}", "So the relation is {relation}."),
)

ANY_SUBSTRING = Shapes.of(
    header=("String: {s}", "The string is {s}, with {n} characters."),
    call=("Call {i}: fetch s[{i}:]={suffix}", "Recursive call {i} works on the suffix starting at {i}: {suffix}."),
    new=("State {i},{j}: fetch s[{i}:{j}]={sub}; new {count}",
         "Substring s[{i}:{j}] is {sub}, which is new; that makes {count} distinct substrings."),
    seen=("State {i},{j}: fetch s[{i}:{j}]={sub}; seen s[{a}:{b}]",
          "Substring s[{i}:{j}] is {sub}, which I already found as s[{a}:{b}]."),
    back=("Return {i}: count={count}", "Call {i} returns with {count} distinct substrings so far."),
    empty=("Call {n}: empty suffix, return", "Recursive call {n} gets an empty suffix and returns."),
    result=("Result: {items}", "The distinct substrings are: {items}"),
)

DERANGEMENT = Shapes.of(
    call=("Call D({k}): needs D({k1}) and D({k2})",
          "D({k}) = {k1} x (D({k1}) + D({k2})), so I first need D({k1}) and D({k2})."),
    base=("Base: D(1)=0 D(0)=1", "The base cases are D(1) = 0 and D(0) = 1."),
    state=("State {k}: fetch D({k1})={last} D({k2})={before}; sum={total}; D({k})={k1}*{total}={value}",
           "Step {k}: I recall D({k1}) = {last} and D({k2}) = {before}. Their sum is {total}, and {k1} x {total} = "
           "{value}, so D({k}) = {value}."),
    move=_move("step"),
    result=("Result: D({n})={value}", "So the number of derangements of {n} items is {value}."),
)

# LCS and Levenshtein fill the same grid in the same order
_GRID_MOVE = ("Transition dp[{i}][{j}] -> dp[{ni}][{nj}]", "Next we move from dp[{i}][{j}] to dp[{ni}][{nj}].")
_GRID_RESULT = ("Result: dp[{m}][{n}]={cell}", "The whole strings give dp[{m}][{n}]={cell}.")
_CELL = "Cell dp[{i}][{j}]: s{i}={a} and t{j}={b} "
_FETCH = "State dp[{i}][{j}]: fetch s{i}={a} t{j}={b} "

LCS = Shapes.of(
    header=("Strings: s={s} t={t}", "We compare s = {s} ({m} letters) with t = {t} ({n} letters)."),
    init=("Init: dp[0][0..{n}]=0 dp[0..{m}][0]=0",
          "An empty prefix has nothing in common with anything: dp[0][0..{n}]=0 and dp[0..{m}][0]=0."),
    match=(_FETCH + "dp[{pi}][{pj}]={diag}; s{i}=t{j}; dp[{i}][{j}]={diag}+1={cell}",
           _CELL + "match. We have got dp[{pi}][{pj}]={diag}. So dp[{i}][{j}]={diag}+1={cell}."),
    differ=(_FETCH + "dp[{pi}][{j}]={up} dp[{i}][{pj}]={left}; s{i}!=t{j}; dp[{i}][{j}]=max({up},{left})={cell}",
            _CELL + "differ. We have got dp[{pi}][{j}]={up}. We have got dp[{i}][{pj}]={left}. "
            "So dp[{i}][{j}]=max({up},{left})={cell}."),
    move=_GRID_MOVE,
    result=_GRID_RESULT,
)

LEVENSHTEIN = Shapes.of(
    header=("Strings: s={s} t={t}", "We turn s = {s} ({m} letters) into t = {t} ({n} letters)."),
    init=("Init: dp[0][0..{n}]={top}; dp[0..{m}][0]={side}",
          "From or to an empty prefix it takes one edit per letter: dp[0][0..{n}]={top} and dp[0..{m}][0]={side}."),
    match=(_FETCH + "dp[{pi}][{pj}]={diag}; s{i}=t{j}; dp[{i}][{j}]={cell}",
           _CELL + "match. We have got dp[{pi}][{pj}]={diag}. So dp[{i}][{j}]={cell}."),
    differ=(_FETCH + "dp[{pi}][{pj}]={diag} dp[{pi}][{j}]={up} dp[{i}][{pj}]={left}; s{i}!=t{j}; "
            "dp[{i}][{j}]=1+min({diag},{up},{left})={cell}",
            _CELL + "differ. We have got dp[{pi}][{pj}]={diag} (replace), dp[{pi}][{j}]={up} (delete) and "
            "dp[{i}][{pj}]={left} (insert). So dp[{i}][{j}]=1+min({diag},{up},{left})={cell}."),
    move=_GRID_MOVE,
    result=_GRID_RESULT,
)

KNAPSACK = Shapes.of(
    header=("Items: w=[{weights}] v=[{values}]; capacity={W}",
            "We have {n} items with weights {weights} and values {values}, and a knapsack of capacity {W}."),
    init=("Init: dp[0][0..{W}]=0", "With no items every capacity holds value 0: dp[0][0..{W}]=0."),
    skip=("State dp[{i}][{c}]: fetch w{i}={w} v{i}={v} dp[{p}][{c}]={keep}; {w}>{c}, skip; dp[{i}][{c}]={best}",
          "Cell dp[{i}][{c}]: item {i} weighs {w}, more than the capacity {c}, so it cannot go in. "
          "We have got dp[{p}][{c}]={keep}. So dp[{i}][{c}]={best}."),
    cell=("State dp[{i}][{c}]: fetch w{i}={w} v{i}={v} dp[{p}][{r}]={base} dp[{p}][{c}]={keep}; "
          "dp[{p}][{r}]+{v}={take}; dp[{i}][{c}]=max({take},{keep})={best}",
          "Cell dp[{i}][{c}]: item {i} weighs {w} and is worth {v}. We have got dp[{p}][{r}]+{v}={take}. "
          "We have got dp[{p}][{c}]={keep}. So dp[{i}][{c}]={best}."),
    move=("Transition dp[{i}][{c}] -> dp[{ni}][{nc}]", "Next we move from dp[{i}][{c}] to dp[{ni}][{nc}]."),
    result=("Result: dp[{n}][{W}]={best}",
            "The best value for all {n} items within capacity {W} is dp[{n}][{W}]={best}."),
)


def _probe(relation: str, prose: str) -> tuple[str, str]:
    return ("State {{{lo},{hi}}}: fetch {fetched}; find={x}; mid={mid}, s{mid}={v} " + relation + " find",
            "Range [{lo}, {hi}]: the numbers are {fetched} and we look for {x}. The middle index is {mid} and "
            "s{mid}={v} " + prose + ".")


BINARY_SEARCH = Shapes.of(
    greater=_probe(">", "is greater than {x}"),
    less=_probe("<", "is less than {x}"),
    equal=_probe("=", "equals {x}, so {x} is at index {mid}"),
    empty=("State {{{lo},{hi}}}: empty range; find={x} is absent",
           "Range [{lo}, {hi}]: the range is empty, so {x} is not in the list."),
    move=("Transition {{{lo},{hi}}} -> {{{nlo},{nhi}}}", "Narrow the range from [{lo}, {hi}] to [{nlo}, {nhi}]."),
)

# what the palindrome walk shows for no middle, no value tried yet and an empty pool
NOTHING = PerRendering("-", "none")
_HALF = "At prefix {prefix} the unused half values are {pool} and the last value tried here is {tried}; "
PALINDROME_COMBINATION = Shapes.of(
    count=("Count {i}: fetch x{i}={x}; count[{x}]={old}+1={new}",
           "Element {i} is {x}, so count[{x}] goes from {old} to {new}."),
    no_palindrome=("Tally: fetch {tally}; odd={odd}; {k} odd values, no palindrome",
                   "The counts are {tally}. Values with an odd count: {odd}. A palindrome allows at most one, so "
                   "there is none."),
    tally=("Tally: fetch {tally}; odd={mid}; middle={mid}; half={half}",
           "The counts are {tally}. Values with an odd count: {mid}. At most one is allowed, so the middle is {mid} "
           "and each half uses {half}."),
    choose=("State {prefix}: fetch rest={pool} tried={tried}; choose {c}", _HALF + "place {c} next."),
    stuck=("State {prefix}: fetch rest={pool} tried={tried}; no choice left", _HALF + "no value is left to try."),
    complete=("State {prefix}: complete; fetch middle={mid}; palindrome={word}; found={old}+1={new}",
              "Prefix {prefix} is a complete half; with middle {mid} it gives the palindrome {word}, so found goes "
              "from {old} to {new}."),
    move=("Transition {prefix} -> {child}", "Move from {prefix} to {child}."),
    back=("Backtrack {child} -> {prefix}", "Go back from {child} to {prefix}."),
    result=("Result: found={found}", "In total found={found} palindromes."),
)

POPULATION_GROWTH = Shapes.of(
    rule=("Rule: P[t]=P[t-1]+{z}*P[t-{x}] for t>={x}; P[t]={y} for t<{x}",
          "The rule: P[t] = P[t-1] + {z} x P[t-{x}] once t >= {x}, and P[t] = {y} while t < {x}."),
    start=("State 0: P[0]={y}", "Unit 0: P[0] = {y}, the newborn pairs we start with."),
    move=("Transition {i} -> {next}", "Now I move from unit {i} to unit {next}."),
    wait=("State {t}: fetch P[{p}]={prev}; {t}<{x} no breeders; P[{t}]={prev}",
          "Unit {t}: last unit P[{p}] = {prev}. Since {t} < {x}, no pair is old enough to breed, so P[{t}] = {prev}."),
    breed=("State {t}: fetch P[{p}]={prev} P[{back}]={breeders}; born={z}*{breeders}={born}; "
           "P[{t}]={prev}+{born}={now}",
           "Unit {t}: last unit P[{p}] = {prev}, and the P[{back}] = {breeders} pairs of that time are old enough to "
           "breed. They have {z} x {breeders} = {born} newborn pairs, so P[{t}] = {prev} + {born} = {now}."),
    result=("Result: P[{n}]={now}", "So P[{n}] = {now} pairs after the last unit."),
)

_UNVISITED = "Step {step}: the unvisited vertices have dist {dist}; "
DIJKSTRA = Shapes.of(
    graph=("Graph: {edges}; source={source}",
           "The undirected graph has edges {edges}, and the source is vertex {source}."),
    init=("Init: dist {dist}", "Start: the source gets distance 0 and every other vertex inf, so dist is {dist}."),
    select=("State {step}: fetch unvisited {dist}; pick {u} (dist {du})",
            _UNVISITED + "the smallest is vertex {u} with {du}, so I visit it."),
    stop=("State {step}: fetch unvisited {dist}; none reachable; stop",
          _UNVISITED + "none of them can be reached, so I stop."),
    relax=("State {step}: relax {u}-{v}: fetch dist[{u}]={du} w={w} dist[{v}]={dv}; {du}+{w}={total}{op}{dv}; "
           "dist[{v}]={new}",
           "Step {step}: edge {u}-{v}: dist[{u}] = {du}, weight {w}, dist[{v}] = {dv}; {du} + {w} = {total} {op} "
           "{dv}, so dist[{v}] is now {new}."),
    result=("Distances: {dist}", "The shortest distances are {dist}."),
)

_TASK = "Step {step}: task T{i} has benefit {b} and deadline {d}. Slot loads {probes}: "
MULTI_MACHINE_SCHEDULE = Shapes.of(
    tasks=("Tasks: {tasks}; machines={x}", "The tasks are {tasks}, run on {x} machines, one time unit each."),
    order=("Order: {order}", "Sorted by benefit, highest first (ties by task number): {order}."),
    place=("State {step}: fetch T{i} b={b} d={d}; probe {probes}; place T{i} in slot {slot}; total={total}+{b}={new}",
           _TASK + "T{i} fits in slot {slot}, so the total becomes {total} + {b} = {new}."),
    skip=("State {step}: fetch T{i} b={b} d={d}; probe {probes}; skip T{i}; total={total}",
          _TASK + "every slot up to the deadline is full, so T{i} is skipped and the total stays {total}."),
    result=("Result: total={total}", "The greedy schedule earns {total} in total."),
)

_LETTER = "Step {k}: letter {k} is '{ch}' and the count is {count}; '{ch}' is "
COUNT_LETTERS = Shapes.of(
    text=("Text: {text}; target={letter}", "The text is \"{text}\" and we count the letter '{letter}' in it."),
    match=("State {k}: fetch letter {k}={ch} count={count}; {ch}={letter}; count={count}+1={new}",
           _LETTER + "'{letter}', so the count becomes {count} + 1 = {new}."),
    differ=("State {k}: fetch letter {k}={ch} count={count}; {ch}!={letter}; count={count}",
            _LETTER + "not '{letter}', so the count stays {count}."),
    result=("Result: count={count}", "In total the count is {count}."),
)

_REST = "Step {x}: x = {x} leaves rest = {rest}; {rest} mod {b} = "
DIOPHANTINE = Shapes.of(
    equation=("Equation: {a}x+{b}y={n}; x=0 rest={n}",
              "We solve {a}x + {b}y = {n} in non-negative integers, starting from x = 0 with rest = {n}."),
    hit=("State {x}: fetch x={x} rest={rest}; {rest}%{b}=0; y={rest}/{b}={y}; found ({x}, {y})",
         _REST + "0, so y = {rest} / {b} = {y} and ({x}, {y}) is a solution."),
    miss=("State {x}: fetch x={x} rest={rest}; {rest}%{b}={m}; no", _REST + "{m}, not 0, so no y works."),
    stop=("Stop: fetch rest={rest} a={a}; {rest}<{a}",
          "With rest = {rest} and a = {a}, x cannot grow further because {rest} < {a}."),
    move=("Transition {x} -> {next}: fetch rest={rest} a={a}; rest={rest}-{a}={left}",
          "Now I move from x = {x} to x = {next}: with rest = {rest} and a = {a}, rest becomes {rest} - {a} = "
          "{left}."),
    result=("Solutions: {solutions}", "All solutions: {solutions}."),
)

_TRIAL = "Test {k}: fetch k={k} d={d}; {d}*{d}={square}"
_NUMBER = "Number {k}: k = {k}, divisor {d}; {d} x {d} = {square} "
PRIME_SEARCH = Shapes.of(
    range=("Range: n={n} m={m}", "We search for primes from {n} to {m}, testing each number by trial division."),
    small=("Test {k}: fetch k={k}; {k}<2; not prime", "Number {k}: k = {k}; {k} < 2, so it is not prime."),
    prime=(_TRIAL + ">{k}; prime, add {k}", _NUMBER + "> {k}, so no divisor is left and I add {k} to the primes."),
    composite=(_TRIAL + "<={k}; {k}%{d}=0; composite", _NUMBER + "<= {k} and {k} mod {d} = 0, so it is composite."),
    next=(_TRIAL + "<={k}; {k}%{d}={r}; next", _NUMBER + "<= {k} and {k} mod {d} = {r}, so I try the next divisor."),
    result=("Primes: {primes}", "The primes in the range are {primes}."),
)
