package org.jepmd.server;

import org.jepmd.protocol.Epmd;

/**
 * The daemon could not start. {@link #exitStatus()} is epmd's exit status for the case: 0 when
 * another daemon already holds the port (so that {@code erl}'s automatic start stays quiet), 1 for
 * everything else (docs/protocol.md, Address list).
 */
public final class StartupFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    public StartupFailure(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    /** More listening sockets than epmd takes, from {@code -address} or from systemd: exit 1. */
    public static StartupFailure tooManySockets() {
        return new StartupFailure(1, "cannot listen on more than " + Epmd.MAX_LISTEN_SOCKETS + " IP addresses");
    }

    /** The process exit status epmd uses for this failure. */
    public int exitStatus() {
        return exitStatus;
    }

    /** True if the port is already served by another daemon. */
    public boolean alreadyRunning() {
        return exitStatus == 0;
    }
}
