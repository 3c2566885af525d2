package org.jepmd.daemon;

import org.jepmd.logging.LogLevels;
import org.jepmd.logging.SyslogAppender;
import org.jepmd.logging.SystemLog;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;

import java.util.List;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * Runs the daemon until it stops (KILL_REQ or a signal), in the foreground or as the detached
 * {@code -daemon} child. Kept apart from {@code EpmdCommand} so that the client actions never load
 * Netty or the logging system.
 */
public final class ServerRunner {
    private ServerRunner() {
    }

    /**
     * Sets the log level, starts the daemon and waits for it to stop.
     *
     * @param extras systemd activation, HTTP endpoint and audit log, as asked for
     * @param warnings about the options, logged once at start (see the command line's hardening options)
     * @param status where a detached daemon reports whether it listens; null in the foreground
     * @return the exit status: 0 after KILL_REQ, SIGTERM or when another daemon holds the port, else 1
     */
    public static int run(ServerConfig config, Operations.Options extras, List<String> warnings, DaemonStatus status) {
        LogLevels.apply(config.debugLevel());
        if (status != null && !extras.systemd()) {
            // detached, as epmd -daemon: messages go to the system log (under systemd, stderr is the journal)
            SystemLog.attach(System.getProperty(SystemLog.SOCKET_PROPERTY, SyslogAppender.DEV_LOG));
        }
        // epmd's main() logs this before run() binds anything, so before its level-2 start-up lines
        LOG.info("epmd running - daemon = {}", status == null ? 0 : 1);
        warnings.forEach(LOG::warn);
        // Operations adds the SIGTERM handler and the shutdown hook that stop the daemon cleanly
        Operations operations = new Operations(extras);
        EpmdServer server;
        try {
            server = operations.start(config);
        } catch (StartupFailure e) {
            operations.exited(e.exitStatus());
            if (status != null) {
                status.report(e.exitStatus(), e.getMessage());
            }
            return e.exitStatus();
        }
        if (status != null) {
            status.report(0, "");
        }
        int exit = server.terminated().join();
        operations.exited(exit);
        return exit;
    }
}
