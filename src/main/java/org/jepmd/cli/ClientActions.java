package org.jepmd.cli;

import org.jepmd.client.EpmdClient;
import org.jepmd.client.JepmdInfoClient;
import org.jepmd.restart.RestartCommand;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** Runs a client action of {@link EpmdOption} against the daemon on the port: one case per action. */
final class ClientActions {
    private ClientActions() {
    }

    /**
     * Runs {@code action} (a {@link EpmdOption.Role#CLIENT} option) with the values given; its exit status.
     *
     * @param args the command line, {@code action} last
     * @param env  the process environment
     */
    static int run(EpmdOption action, OptionValues values, int port, List<String> args, Map<String, String> env,
                   PrintStream out, PrintStream err) {
        return switch (action) {
            case RESTART -> restart(new RestartCommand(port, env, err).newDaemon(daemonOptions(args)), out, err);
            case INFO -> new JepmdInfoClient(port, out, err).info();
            case NAMES -> new EpmdClient(port, out, err).names();
            case KILL -> new EpmdClient(port, out, err).kill();
            case DUMP -> new EpmdClient(port, out, err).dump();
            case STARTED -> new EpmdClient(port, out, err).started();
            case STOP -> new EpmdClient(port, out, err).stop(EpmdClient.argumentBytes(values.value(action, String.class)));
            default -> throw new IllegalArgumentException(action.mainName() + " is no client action");
        };
    }

    /** Becomes the new daemon, if there is one: {@code -restart}'s JVM serves in the old daemon's place. */
    private static int restart(RestartCommand.NewDaemon daemon, PrintStream out, PrintStream err) {
        if (daemon == null) {
            return 1;
        }
        String[] args = daemon.arguments().toArray(String[]::new);
        OptionalInt done = DaemonShortcut.run(args, daemon.env(), out, err);
        return done.isPresent() ? done.getAsInt() : EpmdCommand.commandLine(daemon.env(), out, err).execute(args);
    }

    /**
     * The daemon options before {@code -restart}, for the new daemon, or null when there are none
     * but {@code -port}, which only chooses the daemon: then the new daemon keeps the old one's.
     */
    static List<String> daemonOptions(List<String> args) {
        List<String> options = args.subList(0, args.size() - 1); // -restart
        for (int i = 0; i < options.size(); i++) {
            EpmdOption option = EpmdOption.named(options.get(i));
            if (option == EpmdOption.PORT) {
                i++; // its value
            } else if (option != null && option.role() == EpmdOption.Role.DAEMON) {
                return List.copyOf(options);
            }
        }
        return null;
    }
}
