package org.jepmd.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The fast way to the daemon: reads a plain epmd daemon command line (epmd's own daemon options,
 * docs/protocol.md, Options) without picocli and runs it through {@link EpmdCommand#runDaemon}. Building the picocli
 * model costs about 100 ms of CPU, paid twice by {@code -daemon} (the parent and the detached
 * child), which {@code erl} waits for.
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
        EpmdCommand command = new EpmdCommand(env, out, err);
        int debug = 0;
        for (int i = 0; i < args.length; i++) {
            boolean hasValue = i + 1 < args.length;
            switch (args[i]) {
                case "-d", "-debug" -> debug++;
                case "-daemon" -> command.daemon = true;
                case "-relaxed_command_check" -> command.relaxedCommandCheck = true;
                case "-systemd" -> command.systemd = true;
                case "-address" -> {
                    if (!hasValue) {
                        return null;
                    }
                    command.address = args[++i]; // any next argument, as epmd reads it
                }
                case "-port", "-packet_timeout", "-delay_accept", "-delay_write" -> {
                    int value = hasValue ? Atoi.parse(args[i + 1]) : 0;
                    if (value == 0) {
                        return null; // a usage error: EpmdCommand prints the usage
                    }
                    switch (args[i]) {
                        case "-port" -> command.port = value;
                        case "-packet_timeout" -> command.packetTimeout = value;
                        case "-delay_accept" -> command.delayAccept = value;
                        default -> command.delayWrite = value;
                    }
                    i++;
                }
                default -> {
                    return null;
                }
            }
        }
        command.debug = new boolean[debug];
        return command;
    }
}
