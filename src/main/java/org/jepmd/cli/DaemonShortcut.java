package org.jepmd.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The fast way to the daemon: reads a plain epmd daemon command line ({@link PlainEpmdLine}) without
 * picocli and runs it through {@link EpmdCommand#runDaemon}. Building the picocli model costs about
 * 100 ms of CPU, paid twice by {@code -daemon} (the parent and the detached child), which {@code erl}
 * waits for.
 *
 * <p>It only takes argument lists that epmd accepts and that hold no client action and none of
 * jepmd's own options; for anything else it returns empty and {@link EpmdCommand} decides. For the
 * lines it takes, the command it builds must equal the one picocli builds; a test checks that.
 */
public final class DaemonShortcut {
    private DaemonShortcut() {
    }

    /** Runs the daemon {@code args} describe, if they are a plain epmd daemon command line. */
    public static OptionalInt run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        EpmdCommand command = parse(args, env, out, err);
        return command == null ? OptionalInt.empty() : OptionalInt.of(command.runDaemon(List.of(args)));
    }

    /** The command with its options set as picocli would set them, or null when picocli must decide. */
    static EpmdCommand parse(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        OptionValues values = PlainEpmdLine.parse(args);
        if (values == null || values.clientAction() != null) {
            return null;
        }
        return new EpmdCommand(env, out, err, values);
    }
}
