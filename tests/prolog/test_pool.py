"""The SWI-Prolog worker pool and the Prolog verifier, on real ``swipl`` processes.

Every bad program is rejected with its own reason and the pool keeps working with the same workers; a killed
worker is replaced; nothing a program defines is visible to the next one; nothing starts at import.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from reasonry.verifiers import prolog as verifier
from reasonry.verifiers.prolog import ProgramRejected, run_json
from reasonry.verifiers.prolog.pool import PoolSettings, PrologPool

GOOD = """
:- use_module(library(http/json)).
:- use_module(library(clpfd)).
queens(N, Qs) :- length(Qs, N), Qs ins 1..N, safe(Qs), label(Qs).
safe([]).
safe([Q|Qs]) :- no_attack(Q, Qs, 1), safe(Qs).
no_attack(_, [], _).
no_attack(Q, [Q1|Qs], D) :- Q #\\= Q1, abs(Q - Q1) #\\= D, D1 is D + 1, no_attack(Q, Qs, D1).
solve_json :- queens(6, Qs), json_write_dict(current_output, _{queens: Qs}), nl.
"""
GOOD_ANSWER = {"queens": [2, 4, 6, 1, 3, 5]}

J = ":- use_module(library(http/json)).\n"
BAD = {
    # name: (program, expected reason, a word the detail must contain)
    "infinite loop": (J + "spin(X) :- X1 is X + 1, spin(X1).\nsolve_json :- spin(0).", "inference_limit", "inference"),
    "infinite recursion": (J + "deep(X) :- deep(s(X)), true.\nsolve_json :- deep(z).", "stack_overflow", "stack"),
    "syntax error": (J + "solve_json :- json_write_dict(current_output, _{a: 1}.\n", "syntax_error", "syntax"),
    "not JSON": (J + "solve_json :- write('the answer is 42'), nl.", "not_json", "not JSON"),
    "two objects": (J + "solve_json :- json_write_dict(current_output, _{a: 1}), nl,\n"
                    "    json_write_dict(current_output, _{b: 2}), nl.", "multiple_json", "more than one"),
    "shell/1": (J + "solve_json :- shell('touch pwned'), json_write_dict(current_output, _{a: 1}).",
                "sandbox", "shell"),
    "file for writing": (J + "solve_json :- open('pwned.txt', write, S), write(S, x), close(S),\n"
                         "    json_write_dict(current_output, _{a: 1}).", "sandbox", "open"),
    "shell in a directive": (J + ":- shell('touch pwned').\nsolve_json :- json_write_dict(current_output, _{a: 1}).",
                             "sandbox", "directive"),
    "term_expansion hook": (J + "term_expansion(_, _) :- shell('touch pwned'), fail.\nsolve_json.", "sandbox",
                            "term_expansion"),
    "dynamic hook": (J + ":- dynamic goal_expansion/2.\nsolve_json.", "sandbox", "goal_expansion"),
    "clause for another module": (J + "user:portray(_) :- shell('touch pwned').\nsolve_json.", "sandbox", "user"),
    "undefined procedure": (J + "solve_json :- no_such_predicate(1).", "undefined_procedure", "no_such_predicate"),
    "goal fails": (J + "solve_json :- fail.", "goal_failed", "failed"),
    "no entry point": (J + "main :- true.", "no_goal", "solve_json"),
    "prints nothing": (J + "solve_json.", "no_output", "nothing"),
}


@pytest.fixture(scope="module")
def pool():
    with PrologPool(PoolSettings(size=1, time_limit=3.0, inference_limit=5_000_000)) as p:
        yield p


def _reason(pool: PrologPool, program: str, **limits) -> tuple[str, str]:
    result = pool.run(program, **limits)
    if not result.ok:
        return result.reason, result.detail
    from reasonry.verifiers.prolog.output import OutputError, parse_single_object

    try:
        parse_single_object(result.output)
    except OutputError as exc:
        return exc.reason, exc.detail
    return "ok", result.output


def test_good_program_runs(pool):
    from reasonry.verifiers.prolog.output import parse_single_object

    result = pool.run(GOOD)
    assert result.ok, result
    assert parse_single_object(result.output) == GOOD_ANSWER


@pytest.mark.parametrize("name", list(BAD))
def test_bad_program_rejected_with_its_reason_and_no_worker_lost(pool, name):
    program, reason, word = BAD[name]
    pids = pool.worker_pids()
    restarts = pool.restarts
    got, detail = _reason(pool, program)
    assert got == reason, f"{name}: {got} ({detail})"
    assert word.lower() in detail.lower(), detail
    # the same worker process serves the next program
    assert pool.restarts == restarts and pool.worker_pids() == pids
    assert _reason(pool, GOOD)[0] == "ok"
    assert not os.path.exists(os.path.join(pool._workdir, "pwned")) and not os.path.exists("pwned.txt")


def test_time_limit_is_its_own_reason(pool):
    program = J + "spin :- repeat, fail.\nsolve_json :- spin."
    started = time.monotonic()
    got, _ = _reason(pool, program, time_limit=0.5, inference_limit=10**12)
    assert got == "time_limit"
    assert time.monotonic() - started < 3.0
    assert _reason(pool, GOOD)[0] == "ok"


SWALLOW = J + "spin :- repeat, fail.\nloop(X) :- X1 is X + 1, loop(X1).\ndeep(X) :- deep(s(X)), true.\n"
CATCH_ALL = {
    # name: (program, limits, expected reason); each program catches every exception, twice where it can
    "time": (SWALLOW + "solve_json :- catch(spin, _, true), catch(spin, _, true),\n"
             "    json_write_dict(current_output, _{a: 1}).", {"time_limit": 0.5, "inference_limit": 10**12},
             "time_limit"),
    "inferences": (SWALLOW + "solve_json :- catch(loop(0), _, true), catch(loop(0), E, true),\n"
                   "    json_write_dict(current_output, _{a: 1, e: E}).", {"inference_limit": 200_000},
                   "inference_limit"),
    "memory": (SWALLOW + "solve_json :- catch(deep(z), _, true), json_write_dict(current_output, _{a: 1}).",
               {"time_limit": 20, "inference_limit": 10**12}, "stack_overflow"),
    "with backtrace": (SWALLOW + "solve_json :- catch_with_backtrace(spin, _, true),\n"
                       "    json_write_dict(current_output, _{a: 1}).", {"time_limit": 0.5, "inference_limit": 10**12},
                       "time_limit"),
    "then fails": (SWALLOW + "solve_json :- catch(loop(0), _, true), fail.", {"inference_limit": 200_000},
                   "inference_limit"),
}


@pytest.mark.parametrize("sandbox", [True, False], ids=["sandboxed", "trusted"])
@pytest.mark.parametrize("name", list(CATCH_ALL))
def test_limits_hold_when_the_program_catches_everything(pool, name, sandbox):
    program, limits, reason = CATCH_ALL[name]
    result = pool.run(program, sandbox=sandbox, **limits)
    assert not result.ok and result.reason == reason, result
    # a program that catches only what it expects still handles its own errors
    handled = J + ("solve_json :- catch(atom_length(1, _), error(type_error(_, _), _), true),\n"
                   "    catch(X is 1 / 0, _, X = 0), json_write_dict(current_output, _{a: X}).")
    assert _reason(pool, handled, sandbox=sandbox) == ("ok", '{"a":0}')


def test_a_program_that_calls_a_catch_all_it_built_is_still_limited():
    """A catch/3 put together at run time escapes the compile-time guard (the sandbox refuses such calls;
    a trusted program may make them): the exception hook still marks the limit, and a program that goes on
    regardless is stopped by the watchdog."""
    with PrologPool(size=1, time_limit=0.5, grace=0.5, inference_limit=10**12) as pool:
        swallow = SWALLOW + "solve_json :- G = catch(spin, _, true), call(G), json_write_dict(current_output, _{a: 1})."
        result = pool.run(swallow, sandbox=False)
        assert not result.ok and result.reason == "time_limit", result
        forever = SWALLOW + "solve_json :- G = catch(spin, _, true), call(G), spin."
        started = time.monotonic()
        result = pool.run(forever, sandbox=False)
        assert not result.ok and result.reason == "wedged" and time.monotonic() - started < 3.0, result
        assert _reason(pool, GOOD)[0] == "ok"


def test_killed_worker_is_replaced(pool):
    (pid,) = pool.worker_pids()
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    first = pool.run(GOOD)
    assert not first.ok and first.reason == "worker_crashed"
    assert pool.worker_pids() and pool.worker_pids() != [pid]
    assert _reason(pool, GOOD)[0] == "ok"


def test_wedged_worker_is_killed_by_the_watchdog():
    """A worker that stops answering (here: stopped by SIGSTOP) is killed and replaced after limit + grace."""
    with PrologPool(size=1, time_limit=0.5, grace=0.5) as pool:
        (pid,) = pool.worker_pids()
        os.kill(pid, signal.SIGSTOP)
        result = pool.run(GOOD)
        assert not result.ok and result.reason == "wedged"
        assert pool.worker_pids() != [pid]
        assert _reason(pool, GOOD)[0] == "ok"


def test_no_state_leaks_between_programs(pool):
    first = J + ":- dynamic seen/1.\nseen(first).\nsecret(42).\nsolve_json :- assertz(seen(again)),\n" \
                "    json_write_dict(current_output, _{n: 1}), nl."
    second = J + ":- dynamic seen/1.\n:- dynamic secret/1.\nsolve_json :- findall(X, seen(X), Xs),\n" \
                 "    ( secret(S) -> true ; S = none ),\n" \
                 "    json_write_dict(current_output, _{seen: Xs, secret: S}), nl."
    assert _reason(pool, first)[0] == "ok"
    result = pool.run(second)
    assert result.ok, result
    assert '"seen":[]' in result.output.replace(" ", "") and "none" in result.output


def test_recycled_after_max_programs():
    with PrologPool(size=1, max_programs=3) as pool:
        pids = set()
        for _ in range(7):
            assert pool.run(GOOD).ok
            pids.update(pool.worker_pids())
        assert len(pids) >= 2 and pool.restarts >= 2


def test_run_many_keeps_order():
    programs = [J + f"solve_json :- X is {i} * {i}, json_write_dict(current_output, _{{sq: X}})." for i in range(12)]
    with PrologPool(size=2) as pool:
        results = pool.run_many(programs)
    assert [r.output for r in results] == [f'{{"sq":{i * i}}}' for i in range(12)]


def test_nothing_starts_at_import():
    code = ("import reasonry.verifiers.prolog as v, reasonry.generators.prolog.nqueens as q, "
            "reasonry.verifiers.prolog.pool as p; print(p._pool is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_verifier_gold_passes_and_corrupted_fails():
    spec = {"program": GOOD, "goal": "solve_json"}
    assert verifier.verify(spec, '{"queens": [2, 4, 6, 1, 3, 5]}').ok
    assert verifier.verify(spec, '```json\n{"queens":[2.0,4,6,1,3,5]}\n```').ok  # fence, number format
    assert not verifier.verify(spec, '{"queens": [2, 4, 6, 1, 5, 3]}').ok
    assert not verifier.verify(spec, '{"queens": [2, 4, 6, 1, 3, 5]} {"queens": []}').ok
    assert not verifier.verify(spec, "queens 2 4 6 1 3 5").ok
    assert not verifier.verify(spec, None).ok  # type: ignore[arg-type]
    bad = verifier.verify({"program": BAD["shell/1"][0]}, '{"a": 1}')
    assert not bad.ok and "sandbox" in bad.reason
    assert not verifier.verify({"nothing": 1}, "{}").ok
    assert not verifier.verify(spec, '{"queens": ' + "[" * 100_000 + "]" * 100_000 + "}").ok  # never raises
    assert not verifier.verify(spec, '{"queens": NaN}').ok


def test_key_order_is_normalised():
    program = J + "solve_json :- json_write_dict(current_output, _{b: 1, a: [x, 2.5]})."
    value, _ = run_json(program)
    assert value == {"a": ["x", 2.5], "b": 1}
    assert verifier.verify({"program": program}, '{"b": 1, "a": ["x", 2.5]}').ok


def test_run_json_raises_record_error_with_reason():
    with pytest.raises(ProgramRejected) as info:
        run_json(BAD["two objects"][0])
    assert info.value.reason == "multiple_json"
    assert info.value.field == "verifier.spec.program"


def _child_uses_pool(parent_pids, queue):
    from reasonry.verifiers.prolog.pool import get_pool, shutdown_pool

    own = get_pool()
    result = own.run(GOOD)
    queue.put((own.owner_pid == os.getpid(), set(own.worker_pids()).isdisjoint(parent_pids), result.ok))
    shutdown_pool()


def test_a_forked_worker_process_builds_its_own_pool():
    """Beam's multi-processing runner forks: a child must never write to its parent's Prolog pipes."""
    import multiprocessing

    from reasonry.verifiers.prolog.pool import get_pool

    parent = get_pool()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_uses_pool, args=(parent.worker_pids(), queue))
    child.start()
    outcome = queue.get(timeout=60)
    child.join(timeout=30)
    assert outcome == (True, True, True)
    assert get_pool() is parent and parent.run(GOOD).ok
