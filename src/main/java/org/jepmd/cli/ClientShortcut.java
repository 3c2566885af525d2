package org.jepmd.cli;

import org.jepmd.client.EpmdClient;

import java.io.PrintStream;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The fast way to a client action: epmd's own argument loop ({@code epmd.c}, docs/protocol.md, Options) over epmd's
 * own options, run before picocli is loaded. Building the picocli model costs more than the whole
 * client exchange, and {@code -names} is what scripts call in loops.
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
        Integer port = null;
        for (int i = 0; i < args.length; i++) {
            int following = args.length - 1 - i;
            switch (args[i]) {
                case "-d", "-debug", "-daemon", "-relaxed_command_check", "-systemd" -> {
                }
                case "-address" -> {
                    if (following == 0) {
                        return OptionalInt.empty();
                    }
                    i++;
                }
                case "-packet_timeout", "-delay_accept", "-delay_write", "-port" -> {
                    if (following == 0 || Atoi.parse(args[i + 1]) == 0) {
                        return OptionalInt.empty(); // a usage error: EpmdCommand prints the usage
                    }
                    if (args[i].equals("-port")) {
                        port = Atoi.parse(args[i + 1]);
                    }
                    i++;
                }
                case "-names", "-kill", "-dump", "-started" -> {
                    if (following != 0) {
                        return OptionalInt.empty();
                    }
                    return OptionalInt.of(action(args[i], null, EpmdEnvironment.port(port, env), out, err));
                }
                case "-stop" -> {
                    if (following != 1) {
                        return OptionalInt.empty();
                    }
                    return OptionalInt.of(action(args[i], args[i + 1], EpmdEnvironment.port(port, env), out, err));
                }
                default -> {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }

    private static int action(String action, String stopName, int port, PrintStream out, PrintStream err) {
        EpmdClient client = new EpmdClient(port, out, err);
        return switch (action) {
            case "-names" -> client.names();
            case "-kill" -> client.kill();
            case "-dump" -> client.dump();
            case "-started" -> client.started();
            default -> client.stop(EpmdClient.argumentBytes(stopName));
        };
    }
}
