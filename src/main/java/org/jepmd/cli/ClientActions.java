package org.jepmd.cli;

import org.jepmd.client.EpmdClient;
import org.jepmd.client.JepmdInfoClient;

import java.io.PrintStream;

/** Runs a client action of {@link EpmdOption} against the daemon on the port: one case per action. */
final class ClientActions {
    private ClientActions() {
    }

    /** Runs {@code action} (a {@link EpmdOption.Role#CLIENT} option) with the values given; its exit status. */
    static int run(EpmdOption action, OptionValues values, int port, PrintStream out, PrintStream err) {
        return switch (action) {
            case INFO -> new JepmdInfoClient(port, out, err).info();
            case NAMES -> new EpmdClient(port, out, err).names();
            case KILL -> new EpmdClient(port, out, err).kill();
            case DUMP -> new EpmdClient(port, out, err).dump();
            case STARTED -> new EpmdClient(port, out, err).started();
            case STOP -> new EpmdClient(port, out, err).stop(EpmdClient.argumentBytes(values.value(action, String.class)));
            default -> throw new IllegalArgumentException(action.mainName() + " is no client action");
        };
    }
}
