package org.jepmd.daemon;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ends the process if a stop has not ended it in time: a stop that fails halfway must not leave a
 * daemon that only SIGKILL ends. Seen when the jar was rewritten in place under the running JVM (a
 * rebuild of {@code target/jepmd.jar}): a class the stop needed could no longer be loaded, and
 * SIGTERM and KILL_REQ were answered but never acted on. Everything it runs is loaded when it is
 * made, so arming it loads no class.
 */
final class StopWatchdog {
    /** Well beyond a clean stop: the event loops stop within 3 s, and the JVM then exits. */
    static final Duration LIMIT = Duration.ofSeconds(10);

    private final Thread thread;
    private final AtomicBoolean armed = new AtomicBoolean();

    StopWatchdog(Duration limit) {
        long millis = limit.toMillis();
        String message = "jepmd: the daemon did not stop within " + limit.toSeconds() + " s: exiting at once\n";
        thread = new Thread(() -> haltAfter(millis, message), "jepmd-stop-watchdog");
        thread.setDaemon(true);
    }

    /** The stop has begun: from now on the process ends within the limit, with status 1 if it must be ended here. */
    void arm() {
        if (armed.compareAndSet(false, true)) {
            thread.start();
        }
    }

    private static void haltAfter(long millis, String message) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            return;
        }
        System.err.print(message);
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }
}
