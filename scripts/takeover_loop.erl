%% Fast-restart takeover probe (erlang/otp#11083): start and stop distribution N times under one
%% name and count the starts that fail. Run with:
%%   erl -noshell -start_epmd false -epmd_port P -pa scripts -s takeover_loop main N
-module(takeover_loop).
-export([main/1]).

main([NArg]) ->
    N = list_to_integer(atom_to_list(NArg)),
    logger:set_primary_config(level, none),
    T0 = erlang:monotonic_time(millisecond),
    {Ok, Failed} = loop(N, 0, 0),
    Ms = erlang:monotonic_time(millisecond) - T0,
    io:format("loops ~b ok ~b failed ~b ms ~b~n", [N, Ok, Failed, Ms]),
    halt(0).

loop(0, Ok, Failed) ->
    {Ok, Failed};
loop(N, Ok, Failed) ->
    case net_kernel:start([looper, shortnames]) of
        {ok, _} ->
            ok = net_kernel:stop(),
            loop(N - 1, Ok + 1, Failed);
        {error, _} ->
            loop(N - 1, Ok, Failed + 1)
    end.
