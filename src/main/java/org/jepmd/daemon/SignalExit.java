package org.jepmd.daemon;

import org.jepmd.server.EpmdLog;

/**
 * SIGTERM as a request for a clean stop: the handler starts the daemon's shutdown and the daemon's
 * main path then returns exit status 0 (systemd and Docker see a clean exit, not status 143).
 * Uses {@code sun.misc.Signal} from {@code jdk.unsupported}, the JDK's only signal API; where it
 * is missing the JVM's default (shutdown hooks, status 143) still stops the daemon cleanly.
 *
 * <p>A SIGTERM that the daemon's parent ignored stays ignored: the JVM takes over no ignored shutdown
 * signal, and says so only by returning "ignored" as the previous handler. That is logged.
 */
final class SignalExit {
    private SignalExit() {
    }

    @SuppressWarnings("removal")
    static void onTerm(Runnable stop) {
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> stop.run());
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                EpmdLog.LOG.warn("SIGTERM is ignored, as the process that started this daemon ignored it:"
                        + " it does not stop the daemon (epmd -kill or SIGKILL do)");
            }
        } catch (IllegalArgumentException | LinkageError e) {
            EpmdLog.LOG.debug("SIGTERM handler not installed: {}", e.toString());
        }
    }
}
