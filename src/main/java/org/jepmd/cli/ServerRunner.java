package org.jepmd.cli;

import org.jepmd.server.EpmdServer;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;

/**
 * Runs the daemon until it stops (KILL_REQ or a signal), in the foreground or as the detached
 * {@code -daemon} child. Kept apart from {@link EpmdCommand} so that the client actions never load
 * Netty or the logging system.
 */
final class ServerRunner {
    private ServerRunner() {
    }

    /**
     * Sets the log level, starts the daemon and waits for it to stop.
     *
     * @param status where a detached daemon reports whether it listens; null in the foreground
     * @return the exit status: 0 after KILL_REQ or when another daemon holds the port, else 1
     */
    static int run(ServerConfig config, DaemonStatus status) {
        LogLevels.apply(config.debugLevel());
        EpmdServer server;
        try {
            server = EpmdServer.start(config);
        } catch (StartupFailure e) {
            if (status != null) {
                status.report(e.exitStatus(), e.getMessage());
            }
            return e.exitStatus();
        }
        if (status != null) {
            status.report(0, "");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "jepmd-shutdown"));
        return server.terminated().join();
    }
}
