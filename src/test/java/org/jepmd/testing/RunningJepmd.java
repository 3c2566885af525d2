package org.jepmd.testing;

import org.jepmd.server.EpmdEvents;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;

import java.util.List;
import java.util.function.UnaryOperator;

/** An in-process jepmd on a free loopback port, for tests. Close it to stop it. */
public final class RunningJepmd implements AutoCloseable {
    private final EpmdServer server;
    private final int port;

    private RunningJepmd(EpmdServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts jepmd on a free port, on 127.0.0.1 and ::1, with the given adjustments. */
    public static RunningJepmd start(UnaryOperator<ServerConfig.Builder> adjust) {
        return start(EpmdEvents.NONE, adjust);
    }

    /** Starts jepmd as {@link #start(UnaryOperator)} does, reporting to {@code events}. */
    public static RunningJepmd start(EpmdEvents events, UnaryOperator<ServerConfig.Builder> adjust) {
        int port = FreePorts.next();
        ServerConfig config = adjust.apply(ServerConfig.builder().port(port).addresses(List.of("127.0.0.1"))).build();
        try {
            return new RunningJepmd(EpmdServer.start(config, events), config.port());
        } catch (StartupFailure e) {
            throw new IllegalStateException("jepmd did not start: " + e.getMessage(), e);
        }
    }

    /** Starts jepmd with epmd's defaults on a free port. */
    public static RunningJepmd start() {
        return start(b -> b);
    }

    /** The port jepmd listens on. */
    public int port() {
        return port;
    }

    /** The server. */
    public EpmdServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
