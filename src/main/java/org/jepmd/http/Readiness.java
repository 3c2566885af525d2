package org.jepmd.http;

import org.jepmd.server.EpmdServer;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Liveness and readiness of a started daemon. It is ready while it listens on every address it
 * started listening on (each requested address, or each socket systemd passed) and is not stopping.
 */
public final class Readiness {
    private final EpmdServer server;
    private final List<InetSocketAddress> requested;

    /** Takes the daemon's listening addresses at this moment, just after start, as the requested ones. */
    public Readiness(EpmdServer server) {
        this.server = server;
        this.requested = List.copyOf(server.localAddresses());
    }

    /** True until the daemon has stopped. */
    public boolean alive() {
        return !server.terminated().isDone();
    }

    /** The requested addresses it does not listen on now; empty when ready. */
    public List<InetSocketAddress> missing() {
        List<InetSocketAddress> missing = new ArrayList<>(requested);
        if (alive()) {
            missing.removeAll(server.localAddresses());
        }
        return missing;
    }

    /** True if it listens on every requested address. */
    public boolean ready() {
        return !requested.isEmpty() && missing().isEmpty();
    }
}
