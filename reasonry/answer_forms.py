"""Wrong and equivalent replies made from a record's gold answer: the verifier matrix's two halves.

``corruptions`` gives replies that must score 0, by family (a changed number, reordered or missing or extra
elements, one JSON value changed, a hedged pair, a wrong trailing claim, the gold only in the reasoning, a
truncated plan, empty output). ``equivalents`` gives replies that must score 1: the gold under every marker
spelling, and in the other forms each answer type admits (``8.0`` for ``8``, thousands separators, JSON in any
key order and spacing, plans in any case, numbered, without parentheses, on one line, lists with any spacing).

Every family is derived from the answer's shape, so a new task gets the matrix by being registered;
``Task.corruptions`` and ``Task.equivalents`` add or drop families where a task knows better (an unordered
list, where a reordering is an equivalent form; a countdown expression, whose claim after ``=`` is part of it).
A family that does not apply to an answer (no list to reorder) is simply absent.
"""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from reasonry.answers import FINAL_ANSWER, JSON_TYPES, PLAN_TYPES
from reasonry.numbers import canonical_decimal, parse_decimal

Forms = dict[str, list[str]]


def final(answer: str) -> str:
    return f"{FINAL_ANSWER} {answer}"


def _plan_lines(answer: str) -> list[str]:
    return [line for line in answer.split("\n") if line.strip()]


def _final_block(answer: str) -> str:
    """A multi-line answer (a plan, a pretty-printed object) starts on the line after the marker."""
    return f"{FINAL_ANSWER}\n{answer}"


# ------------------------------------------------------------------------------------------------
# List and JSON helpers
# ------------------------------------------------------------------------------------------------


def split_list(answer: str) -> tuple[list[str], str, str] | None:
    """Top-level items of a written list (``[a, b]``, ``a, b``, ``(1, 2), (3, 4)``), with its brackets;
    None when the text is not a list of two or more parts."""
    text = answer.strip()
    left = right = ""
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "{}") and _closes_at_end(text):
        left, right, text = text[0], text[-1], text[1:-1]
    items = split_top_level(text)
    if any(not item for item in items) or (len(items) < 2 and not left):
        return None
    return items, left, right


def split_top_level(text: str) -> list[str]:
    """The comma-separated parts of ``text`` outside any brackets, stripped (empty parts kept)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _closes_at_end(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def join_list(items: list[str], left: str, right: str, sep: str = ", ") -> str:
    return left + sep.join(items) + right


def _json_paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Paths to every leaf and every list, depth first, in the object's own key order."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_json_paths(v, (*path, k)))
    elif isinstance(value, list):
        out.append(path)
        for i, v in enumerate(value):
            out.extend(_json_paths(v, (*path, i)))
    else:
        out.append(path)
    return out


def _get(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    parent = _get(copy, path[:-1])
    parent[path[-1]] = new
    return copy


def _changed_leaf(leaf: Any) -> Any:
    if isinstance(leaf, bool):
        return not leaf
    if isinstance(leaf, int | float):
        return leaf + 1
    if isinstance(leaf, str):
        return leaf + "x"
    if leaf is None:
        return 0
    return leaf


def _json_corruptions(answer: str) -> Forms:
    try:
        value = json.loads(answer)
    except ValueError:
        return {}
    forms: Forms = {}
    paths = _json_paths(value)
    leaves = [p for p in paths if not isinstance(_get(value, p), list)]
    lists = [p for p in paths if isinstance(_get(value, p), list)]
    if leaves:
        forms["json_value"] = [json.dumps(_set(value, leaves[0], _changed_leaf(_get(value, leaves[0])))),
                               json.dumps(_set(value, leaves[-1], _changed_leaf(_get(value, leaves[-1]))))]
    for path in lists:
        items = _get(value, path)
        swap = next((i for i in range(len(items) - 1) if items[i] != items[i + 1]), None)
        if swap is not None and "reordered" not in forms:
            moved = list(items)
            moved[swap], moved[swap + 1] = moved[swap + 1], moved[swap]
            forms["reordered"] = [json.dumps(_set(value, path, moved))]
        if items and "missing_element" not in forms:
            forms["missing_element"] = [json.dumps(_set(value, path, items[:-1]))]
        if items and "extra_element" not in forms:
            forms["extra_element"] = [json.dumps(_set(value, path, [*items, items[-1]]))]
    if "missing_element" not in forms and isinstance(value, dict) and value:
        forms["missing_element"] = [json.dumps(dict(list(value.items())[:-1]))]
    return forms


# ------------------------------------------------------------------------------------------------
# Corruptions
# ------------------------------------------------------------------------------------------------


def corruptions(record: dict, wrong: str, rng: random.Random, *, ordered: bool = True) -> Forms:
    """Replies that state a wrong answer (or no answer), by family. ``wrong`` is the task's own wrong answer
    of the right shape; ``ordered`` says whether the prompt fixes the order of a list answer."""
    gold, answer_type = record["answer"], record["answer_type"]
    block = answer_type in JSON_TYPES or answer_type in PLAN_TYPES
    write = _final_block if answer_type in PLAN_TYPES else final
    values: Forms = {"wrong_value": [wrong]}
    if answer_type in JSON_TYPES:
        values.update(_json_corruptions(gold))
    elif answer_type in PLAN_TYPES:
        lines = _plan_lines(gold)
        if len(lines) > 1:
            values["truncated_plan"] = ["\n".join(lines[:-1]), "\n".join(lines[: len(lines) // 2])]
        values["extra_element"] = ["\n".join([*lines, lines[-1]])]
    else:
        number = _perturbed_number(gold, rng)
        if number is not None and answer_type in ("integer", "float", "fraction", "percentage"):
            values["numeric_perturbation"] = number
        parts = split_list(gold) if answer_type == "list" else None
        if parts is not None:
            items, left, right = parts
            swap = next((i for i in range(len(items) - 1) if items[i] != items[i + 1]), None)
            if ordered and swap is not None:
                moved = list(items)
                moved[swap], moved[swap + 1] = moved[swap + 1], moved[swap]
                values["reordered"] = [join_list(moved, left, right)]
            if len(items) > 1:
                values["missing_element"] = [join_list(items[:-1], left, right)]
            values["extra_element"] = [join_list([*items, items[-1]], left, right)]
    forms: Forms = {family: [write(v) for v in vs] for family, vs in values.items()}
    forms["hedged"] = [f"{write(gold)}\n\n{write(wrong)}", f"{write(wrong)}\n\n{write(gold)}"]
    if not block:
        forms["hedged"] += [final(f"{gold} or {wrong}"), f"\\boxed{{{gold}}}\n\n{final(wrong)}"]
        forms["trailing_claim"] = [final(f"{gold} = {wrong}")]
    elif answer_type in JSON_TYPES:
        forms["hedged"].append(final(f"{gold} {wrong}"))
    forms["gold_in_reasoning"] = [f"At first the answer looked like:\n{gold}\nbut that is a mistake.\n\n{write(wrong)}"]
    forms["empty"] = ["", "   \n", FINAL_ANSWER, f"{FINAL_ANSWER}\n"]
    return forms


def _perturbed_number(gold: str, rng: random.Random) -> list[str] | None:
    value = parse_decimal(gold)
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    unit = Decimal(1).scaleb(exponent if isinstance(exponent, int) and exponent < 0 else 0)
    step = unit * rng.randint(1, 3)
    return [canonical_decimal(value + step), canonical_decimal(value - step)]


# ------------------------------------------------------------------------------------------------
# Equivalent forms
# ------------------------------------------------------------------------------------------------

MARKERS = ("Final answer: {}", "**Final Answer**: {}", "**Final answer:** {}", "The final answer is {}",
           "final answer: {}", "FINAL ANSWER: {}")


def equivalents(record: dict, *, ordered: bool = True) -> Forms:
    """Replies that state the gold answer in an accepted form, by family."""
    gold, answer_type = record["answer"], record["answer_type"]
    forms: Forms = {}
    if answer_type in PLAN_TYPES:
        forms["markers"] = [_final_block(gold), f"**Final answer:**\n{gold}", f"Plan below.\n\nFinal Answer:\n{gold}\n"]
        forms.update(_plan_equivalents(gold))
    elif answer_type in JSON_TYPES:
        value = json.loads(gold)
        forms["markers"] = [final(gold), f"**Final Answer**: {gold}", f"The final answer is {gold}", gold,
                            f"```json\n{gold}\n```"]
        forms["json_spacing"] = [final(json.dumps(value, indent=2)), final(json.dumps(value, separators=(",", ":"))),
                                 f"{FINAL_ANSWER}\n```json\n{json.dumps(value, indent=1)}\n```"]
        reordered = _reversed_keys(value)
        if json.dumps(reordered) != json.dumps(value):
            forms["json_key_order"] = [final(json.dumps(reordered))]
    else:
        forms["markers"] = [m.format(gold) for m in MARKERS] + [
            f"\\boxed{{{gold}}}", final(f"\\boxed{{{gold}}}"), f"Let me work it out.\n\n{final(gold)}",
            f"{final(gold)}\n\nTo double-check: {final(gold)}", gold, f"{final(gold)}.", f"{final(gold)}   "]
        forms.update(_scalar_equivalents(gold, answer_type, ordered))
    forms["repeated"] = [f"{_stated(gold, answer_type)}\n\nSo again:\n{_stated(gold, answer_type)}"]
    return {family: values for family, values in forms.items() if values}


def _stated(gold: str, answer_type: str) -> str:
    return _final_block(gold) if answer_type in PLAN_TYPES else final(gold)


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(v) for k, v in reversed(list(value.items()))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


def _plan_equivalents(gold: str) -> Forms:
    lines = _plan_lines(gold)
    bare = [line.strip()[1:-1].strip() for line in lines]
    return {
        "plan_case": [_final_block(gold.upper())],
        "plan_numbered": [_final_block("\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))),
                          _final_block("\n".join(f"Step {i}: {line}" for i, line in enumerate(lines, 1)))],
        "plan_no_parentheses": [_final_block("\n".join(bare))],
        "plan_one_line": [final(" ".join(lines)), final("; ".join(bare)), final(", ".join(lines))],
        "plan_fenced": [f"{FINAL_ANSWER}\n```pddl\n{gold}\n```", f"```plan\n{gold}\n```"],
        "plan_closing_sentence": [f"{_final_block(gold)}\n\nThis plan reaches the goal."],
    }


def _scalar_equivalents(gold: str, answer_type: str, ordered: bool) -> Forms:
    forms: Forms = {}
    value = parse_decimal(gold)
    if value is not None and answer_type in ("integer", "float", "fraction", "percentage"):
        written = []
        if value == value.to_integral_value():
            written += [f"{gold}.0", f"{gold}.00"]
        elif "." in gold:
            written.append(gold + "0")
        if value >= 0:
            written.append("+" + gold)
        if abs(value) >= 1000:
            written.append(_thousands(gold))
        written.append(f"$ {gold} $")
        forms["number_forms"] = [final(w) for w in written]
        fraction = Fraction(value)
        if fraction.denominator != 1:
            forms["fraction_forms"] = [final(f"{fraction.numerator}/{fraction.denominator}")]
    if answer_type == "fraction" and "/" in gold:
        try:
            exact: Fraction | None = Fraction(gold.replace(" ", ""))
        except (ValueError, ZeroDivisionError):
            exact = None
        if exact is not None and _finite_decimal(exact):
            forms["fraction_forms"] = [final(_decimal_text(exact))]
    parts = split_list(gold) if answer_type == "list" else None
    if parts is not None:
        items, left, right = parts
        spaced = [join_list(items, left, right, ","), join_list(items, left, right, " ,  "),
                  join_list(items, "[" if not left else "", "]" if not left else "", ", "),
                  join_list([re.sub(r"\s+", "", i) for i in items], left, right, ", ")]
        forms["list_spacing"] = [final(s) for s in dict.fromkeys(spaced) if s != gold] or [final(gold)]
        if not ordered and len(set(items)) > 1:
            forms["list_order"] = [final(join_list(list(reversed(items)), left, right))]
    if answer_type == "boolean":
        forms["boolean_case"] = [final(gold.lower()), final(gold.upper())]
    if answer_type == "multiple_choice":
        forms["choice_forms"] = [final(f"({gold})"), final(f"{gold}."), final(f"option {gold}")]
    return forms


def _thousands(gold: str) -> str:
    sign = "-" if gold.startswith("-") else ""
    whole, _, frac = gold.lstrip("+-").partition(".")
    grouped = f"{int(whole):,}"
    return sign + grouped + ("." + frac if frac else "")


def _finite_decimal(fraction: Fraction) -> bool:
    d = fraction.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _decimal_text(fraction: Fraction) -> str:
    return canonical_decimal(Decimal(fraction.numerator) / Decimal(fraction.denominator))
