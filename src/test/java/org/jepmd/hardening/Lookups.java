package org.jepmd.hardening;

import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the hardening tests: lookups against a daemon and bounded waits. */
final class Lookups {
    private Lookups() {
    }

    /** The PORT2_RESP bytes for {@code name}, or an empty array if the daemon could not be reached. */
    static byte[] port2(int port, String name) {
        try {
            return EpmdWire.request(port, EpmdWire.portPlease2(name));
        } catch (RuntimeException | AssertionError unreachable) {
            return new byte[0];
        }
    }

    /** True if {@code name} is registered (PORT2_RESP with result 0). */
    static boolean resolvable(int port, String name) {
        byte[] reply = port2(port, name);
        return reply.length > 2 && reply[0] == 'w' && reply[1] == 0;
    }

    /** The registered node's port from PORT2_RESP, or -1. */
    static int nodePort(int port, String name) {
        byte[] reply = port2(port, name);
        if (reply.length < 4 || reply[0] != 'w' || reply[1] != 0) {
            return -1;
        }
        return ((reply[2] & 0xFF) << 8) | (reply[3] & 0xFF);
    }

    /**
     * Polls {@code condition} ({@link Await}).
     *
     * @return milliseconds until it held, or -1 if it did not within {@code timeoutMillis}
     */
    static long millisUntil(BooleanSupplier condition, long timeoutMillis) {
        long start = System.nanoTime();
        if (!Await.holdsWithin(Duration.ofMillis(timeoutMillis), condition::getAsBoolean)) {
            return -1;
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

}
