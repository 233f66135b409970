/*  A long-lived SWI-Prolog worker for reasonry's Prolog pool.

    Requests and replies are one JSON object per line on two private pipes whose descriptor numbers are
    given on the command line, so a program that reads stdin or writes stdout cannot disturb the protocol.

    Request:  {"program": Text, "goal": Name, "time_limit": Seconds, "inference_limit": N, "sandbox": Bool}
    Reply:    {"status": "ok", "output": Text, "inferences": N}
              {"status": "error", "reason": Code, "detail": Text}

    Each program is consulted into a fresh temporary module that is destroyed afterwards, so no clause,
    flag of the module or dynamic fact survives into the next program. The worker loop is failure-driven,
    which gives the stacks back after every request.
*/

:- use_module(library(http/json)).
:- use_module(library(sandbox)).
:- use_module(library(time)).
:- use_module(library(clpfd)).
:- use_module(library(lists)).
:- use_module(library(apply)).
:- use_module(library(aggregate)).
:- use_module(library(pairs)).
:- use_module(library(ordsets)).
:- use_module(library(assoc)).
:- use_module(library(yall)).
:- use_module(library(solution_sequences)).

% Writing JSON to the captured current output is as harmless as format/2 to it; library(sandbox) does not
% know library(http/json), so these declarations admit exactly the current-output forms.
:- multifile sandbox:safe_meta/2.
sandbox:safe_meta(json:json_write_dict(Out, _), []) :- Out == current_output.
sandbox:safe_meta(json:json_write_dict(Out, _, _), []) :- Out == current_output.
sandbox:safe_meta(json:json_write(Out, _), []) :- Out == current_output.
sandbox:safe_meta(json:json_write(Out, _, _), []) :- Out == current_output.
sandbox:safe_meta(json:atom_json_dict(_, _, _), []).
sandbox:safe_meta(json:atom_json_term(_, _, _), []).

% Plain term output to the current output (captured by the worker); pengines adds the same set.
:- multifile sandbox:safe_primitive/1.
sandbox:safe_primitive(system:write(_)).
sandbox:safe_primitive(system:writeq(_)).
sandbox:safe_primitive(system:print(_)).
sandbox:safe_primitive(system:write_canonical(_)).
sandbox:safe_primitive(system:nl).
sandbox:safe_primitive(system:tab(_)).
sandbox:safe_primitive(system:put_char(_)).

% Libraries a program may load. Everything else (files, shell, sockets, foreign code) is refused.
allowed_library(http/json).
allowed_library(clpfd).
allowed_library(lists).
allowed_library(apply).
allowed_library(aggregate).
allowed_library(pairs).
allowed_library(ordsets).
allowed_library(assoc).
allowed_library(yall).
allowed_library(between).
allowed_library(solution_sequences).
allowed_library(dicts).
allowed_library(strings).

main :-
    current_prolog_flag(argv, Argv),
    append(_, [ReqFdA, RespFdA], Argv),
    atom_number(ReqFdA, ReqFd), atom_number(RespFdA, RespFd),
    format(atom(ReqPath), '/dev/fd/~w', [ReqFd]),
    format(atom(RespPath), '/dev/fd/~w', [RespFd]),
    open(ReqPath, read, In, [encoding(utf8), bom(false)]),
    open(RespPath, write, Out, [encoding(utf8)]),
    set_prolog_flag(answer_write_options, [max_depth(0)]),
    reply(Out, _{status: "ready"}),
    serve(In, Out).

serve(In, Out) :-
    repeat,
    catch(json_read_dict(In, Request, [end_of_file(end_of_file)]), E, (protocol_error(Out, E), fail)),
    (   Request == end_of_file
    ->  !
    ;   handle(Request, Reply),
        reply(Out, Reply),
        garbage_collect_atoms,
        fail
    ).

protocol_error(Out, E) :-
    message_text(E, Text),
    reply(Out, _{status: "error", reason: "protocol", detail: Text}).

reply(Out, Dict) :-
    json_write_dict(Out, Dict, [width(0)]),
    nl(Out),
    flush_output(Out).

handle(Request, Reply) :-
    Program = Request.program,
    Goal = Request.get(goal, "solve_json"),
    TimeLimit = Request.get(time_limit, 5),
    InferenceLimit = Request.get(inference_limit, 50000000),
    Sandbox = Request.get(sandbox, true),
    atom_string(GoalName, Goal),
    catch(in_temporary_module(M, true,
                              run_program(M, Program, GoalName, TimeLimit, InferenceLimit, Sandbox, Reply)),
          E, error_reply(E, Reply)),
    !.
handle(_, _{status: "error", reason: "worker", detail: "request could not be handled"}).

run_program(M, Program, GoalName, TimeLimit, InferenceLimit, Sandbox, Reply) :-
    setup_call_cleanup(open_string(Program, Scan),
                       vet_terms(Scan, M, Sandbox),
                       close(Scan)),
    setup_call_cleanup((open_string(Program, Load), nb_setval(reasonry_loading, M)),
                       load_files(M:reasonry_program, [stream(Load), silent(true)]),
                       (close(Load), nb_setval(reasonry_loading, none))),
    (   current_predicate(M:GoalName/0)
    ->  true
    ;   throw(reasonry(no_goal, GoalName))
    ),
    (   Sandbox == true
    ->  catch(safe_goal(M:GoalName), SE, throw(reasonry(sandbox, SE)))
    ;   true
    ),
    nb_setval(reasonry_limit, none),
    statistics(inferences, I0),
    catch(run_goal(M, GoalName, TimeLimit, InferenceLimit, Output, Result, Succeeded), E, true),
    statistics(inferences, I1),
    nb_getval(reasonry_limit, Hit),
    !,
    (   Hit \== none
    ->  limit_reply(Hit, Reply)             % a limit was hit, whatever the program did with it
    ;   nonvar(E)
    ->  throw(E)
    ;   Succeeded == false
    ->  format(string(Detail), '~w/0 failed', [GoalName]),
        Reply = _{status: "error", reason: "goal_failed", detail: Detail}
    ;   Result == inference_limit_exceeded
    ->  Reply = _{status: "error", reason: "inference_limit", detail: "inference limit exceeded"}
    ;   Used is I1 - I0,
        Reply = _{status: "ok", output: Output, inferences: Used}
    ).
run_program(_, _, GoalName, _, _, _, _{status: "error", reason: "goal_failed", detail: Detail}) :-
    format(string(Detail), '~w/0 failed', [GoalName]).

% Read every clause before anything is loaded: a syntax error is reported as such (a plain consult would
% only print a warning and go on), and directives are checked before they could run.
run_goal(M, GoalName, TimeLimit, InferenceLimit, Output, Result, Succeeded) :-
    setup_call_cleanup(nb_setval(reasonry_running, true),
                       (   with_output_to(string(Output),
                                          call_with_time_limit(TimeLimit,
                                                               call_with_inference_limit(M:GoalName, InferenceLimit,
                                                                                         Result)))
                       ->  Succeeded = true
                       ;   Succeeded = false
                       ),
                       nb_setval(reasonry_running, false)).

limit_reply(time, _{status: "error", reason: "time_limit", detail: "time limit exceeded"}).
limit_reply(inferences, _{status: "error", reason: "inference_limit", detail: "inference limit exceeded"}).
limit_reply(memory(R), _{status: "error", reason: Reason, detail: D}) :-
    error_reply(error(resource_error(R), _), _{status: "error", reason: Reason, detail: D}).

%   Limits a program cannot catch. A limit is an exception, and a program may catch any exception: so
%   (1) every catch/3 in a program is compiled as reasonry_guarded_catch/3, whose recovery throws a limit's
%   exception on instead of handling it; (2) the exception hook notes every limit raised while a program runs
%   (it sees the exception before any catch does), and a program that hit one is an error whatever it did
%   next; (3) a program that goes on regardless is killed by the pool's watchdog after the time limit.

limit_ball(time_limit_exceeded, time).
limit_ball(time_limit_exceeded(_), time).
limit_ball(inference_limit_exceeded, inferences).
limit_ball(error(resource_error(R), _), memory(R)).

:- multifile user:prolog_exception_hook/4.
:- dynamic user:prolog_exception_hook/4.
user:prolog_exception_hook(Ball, _, _, _) :-
    nb_current(reasonry_running, true),
    nonvar(Ball),
    limit_ball(Ball, Limit),
    nb_setval(reasonry_limit, Limit),
    fail.

:- meta_predicate reasonry_guarded_catch(0, ?, 0).
reasonry_guarded_catch(Goal, Catcher, Recovery) :-
    catch(Goal, Catcher, reasonry_recover(Catcher, Recovery)).

reasonry_recover(Ball, _) :-
    nonvar(Ball), limit_ball(Ball, _), !,
    throw(Ball).
reasonry_recover(_, Recovery) :-
    call(Recovery).

:- multifile sandbox:safe_meta/2.
sandbox:safe_meta(user:reasonry_guarded_catch(Goal, _, Recovery), [Goal, Recovery]).

:- multifile user:goal_expansion/2.
:- dynamic user:goal_expansion/2.
user:goal_expansion(catch(G, C, R), reasonry_guarded_catch(G, C, R)) :-
    loading_program.
user:goal_expansion(catch_with_backtrace(G, C, R), reasonry_guarded_catch(G, C, R)) :-
    loading_program.

loading_program :-
    prolog_load_context(module, M),
    nb_current(reasonry_loading, M).

vet_terms(Stream, M, Sandbox) :-
    repeat,
    catch(read_term(Stream, Term, [module(M), syntax_errors(error)]), E, throw(reasonry(syntax, E))),
    (   Term == end_of_file
    ->  !
    ;   vet_term(Term, M, Sandbox),
        fail
    ).

vet_term((:- Directive), M, Sandbox) :- !,
    vet_directive(Directive, M, Sandbox).
vet_term((?- Directive), M, Sandbox) :- !,
    vet_directive(Directive, M, Sandbox).
vet_term(_, _, false) :- !.
vet_term((Head :- _), _, true) :- !,
    vet_head(Head).
vet_term((Head --> _), _, true) :- !,
    vet_head(Head).
vet_term(Head, _, true) :-
    vet_head(Head).

vet_head(Head) :-
    (   var(Head)
    ->  true
    ;   Head = _:_
    ->  throw(reasonry(sandbox_clause, Head))
    ;   callable(Head), predicate_property(system:Head, built_in)
    ->  throw(reasonry(sandbox_clause, Head))
    ;   callable(Head), functor(Head, Name, Arity), hook(Name, Arity)
    ->  throw(reasonry(sandbox_clause, Head))
    ;   true
    ).

% Hooks the system calls by itself (while loading, printing or handling errors), outside safe_goal's view.
hook(term_expansion, 2).
hook(term_expansion, 4).
hook(goal_expansion, 2).
hook(goal_expansion, 4).
hook(portray, 1).
hook(message_hook, 3).
hook(exception, 3).
hook(prolog_load_file, 2).
hook(prolog_exception_hook, 4).
hook(resource, 2).
hook(resource, 3).
hook(message_property, 2).
hook(prolog_trace_interception, 4).

vet_declaration(Spec) :-
    (   var(Spec)
    ->  throw(reasonry(sandbox_directive, dynamic(Spec)))
    ;   Spec = (A, B)
    ->  vet_declaration(A),
        vet_declaration(B)
    ;   is_list(Spec)
    ->  maplist(vet_declaration, Spec)
    ;   Spec = Name/Arity, atom(Name), integer(Arity), \+ hook(Name, Arity)
    ->  true
    ;   throw(reasonry(sandbox_directive, dynamic(Spec)))
    ).

% Loading a library changes how later clauses are read (clpfd operators), so allowed imports take
% effect in the temporary module during the scan.
vet_directive(use_module(library(Lib)), M, _) :- allowed_library(Lib), !,
    M:use_module(library(Lib)).
vet_directive(use_module(library(Lib), Imports), M, _) :- allowed_library(Lib), !,
    M:use_module(library(Lib), Imports).
vet_directive(_, _, false) :- !.
vet_directive(dynamic(Spec), _, _) :- !,
    vet_declaration(Spec).
vet_directive(discontiguous(Spec), _, _) :- !,
    vet_declaration(Spec).
vet_directive(Directive, _, _) :-
    throw(reasonry(sandbox_directive, Directive)).

error_reply(reasonry(syntax, E), _{status: "error", reason: "syntax_error", detail: D}) :- !, message_text(E, D).
error_reply(reasonry(sandbox, E), _{status: "error", reason: "undefined_procedure", detail: D}) :-
    E = error(existence_error(procedure, _), _), !,
    message_text(E, D).
error_reply(reasonry(sandbox, E), _{status: "error", reason: "sandbox", detail: D}) :- !, message_text(E, D).
error_reply(reasonry(sandbox_directive, Dir), _{status: "error", reason: "sandbox", detail: D}) :- !,
    format(string(D), 'directive not allowed: ~q', [Dir]).
error_reply(reasonry(sandbox_clause, Head), _{status: "error", reason: "sandbox", detail: D}) :- !,
    format(string(D), 'clause may not define ~q', [Head]).
error_reply(reasonry(no_goal, G), _{status: "error", reason: "no_goal", detail: D}) :- !,
    format(string(D), 'the program defines no ~w/0', [G]).
error_reply(time_limit_exceeded, _{status: "error", reason: "time_limit", detail: "time limit exceeded"}) :- !.
error_reply(error(resource_error(R), _), _{status: "error", reason: Reason, detail: D}) :- !,
    (   memberchk(R, [stack_overflow, global_stack, local_stack, trail_stack, stack])
    ->  Reason = "stack_overflow"
    ;   Reason = "resource_error"
    ),
    format(string(D), 'resource error: ~q', [R]).
error_reply(error(permission_error(A, T, C), _), _{status: "error", reason: "sandbox", detail: D}) :-
    memberchk(T, [source_sink, stream, file]), !,
    format(string(D), 'permission error: ~q ~q ~q', [A, T, C]).
error_reply(E, _{status: "error", reason: "exception", detail: D}) :-
    message_text(E, D).

% The message SWI-Prolog would print for E (one line per message line), or the term itself.
message_text(E, Text) :-
    catch(( '$messages':translate_message(E, Lines, []),
            with_output_to(string(Text0), print_message_lines(current_output, '', Lines)) ),
          _, fail),
    !,
    split_string(Text0, "", "\n ", [Text1]),
    truncate(Text1, Text).
message_text(E, Text) :-
    format(string(Text0), '~q', [E]),
    truncate(Text0, Text).

truncate(Text, Out) :-
    string_length(Text, N),
    (   N > 2000
    ->  sub_string(Text, 0, 2000, _, Out)
    ;   Out = Text
    ).
