package org.jepmd.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference {@code epmd} (Debian's erlang-base) on a free loopback port, for differential tests.
 * Skips (or fails under CI) when it is not installed.
 */
public final class RealEpmd extends LoggedProcess {
    private final int port;

    private RealEpmd(List<String> command, int port) {
        super("epmd-", command);
        this.port = port;
    }

    /** Starts {@code epmd -port P [args]} in the foreground and waits until it answers. */
    public static RealEpmd start(String... args) {
        String epmd = Requirements.epmd();
        int port = FreePorts.next();
        List<String> command = new ArrayList<>(List.of(epmd, "-port", Integer.toString(port)));
        command.addAll(List.of(args));
        RealEpmd real = new RealEpmd(command, port);
        real.awaitReady(Duration.ofSeconds(5), () -> EpmdWire.accepts("127.0.0.1", port), "epmd to listen on " + port);
        return real;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        process().destroy();
        if (!awaitExit(5)) {
            kill9();
        }
    }
}
