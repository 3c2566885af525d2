package org.jepmd.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The fast way to a client action: epmd's own argument loop ({@link PlainEpmdLine}) run before picocli
 * is loaded. Building the picocli model costs more than the whole client exchange, and {@code -names}
 * is what scripts call in loops.
 *
 * <p>It only handles argument lists that epmd accepts and that end in a client action; for
 * anything else (the daemon, usage errors, help, jepmd's own options) it returns empty and
 * {@link EpmdCommand} decides. For the lists it handles, it must pick the same action and port as
 * {@link EpmdCommand}; a test checks that.
 */
public final class ClientShortcut {
    private ClientShortcut() {
    }

    /** Runs the client action {@code args} end with, if they are a plain epmd client command line. */
    public static OptionalInt run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        OptionValues values = PlainEpmdLine.parse(args);
        if (values == null) {
            values = plainRestart(args);
        }
        EpmdOption action = values == null ? null : values.clientAction();
        if (action == null) {
            return OptionalInt.empty();
        }
        int port = EpmdEnvironment.port(values.value(EpmdOption.PORT, Integer.class), env);
        return OptionalInt.of(ClientActions.run(action, values, port, List.of(args), env, out, err));
    }

    /**
     * {@code [-port N] -restart}: jepmd's own action in the shape that keeps the running daemon's
     * options, which {@code jepmd -restart} is timed by; with daemon options, picocli checks them.
     */
    private static OptionValues plainRestart(String[] args) {
        if (args.length == 0 || !args[args.length - 1].equals(EpmdOption.RESTART.mainName())) {
            return null;
        }
        OptionValues values = PlainEpmdLine.parse(Arrays.copyOf(args, args.length - 1));
        if (values == null || values.clientAction() != null || ClientActions.daemonOptions(List.of(args)) != null) {
            return null;
        }
        values.count(EpmdOption.RESTART);
        return values;
    }
}
