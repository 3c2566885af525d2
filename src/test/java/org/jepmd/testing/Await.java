package org.jepmd.testing;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded polling for tests: asks a condition again and again, a few milliseconds apart (backing off
 * to {@value #MAX_PAUSE_MILLIS} ms so that costly probes such as starting a process do not hog the
 * machine), until it holds or the timeout passes.
 */
public final class Await {
    private static final long FIRST_PAUSE_MILLIS = 5;
    private static final long MAX_PAUSE_MILLIS = 50;

    private Await() {
    }

    /** A condition that may throw, e.g. a probe over a socket. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A probe that may throw. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @throws AssertionError naming {@code describe} if it still does not after {@code timeout}
     */
    public static void until(Duration timeout, Condition condition, Supplier<String> describe) {
        value(timeout, condition::holds, Boolean::booleanValue, describe);
    }

    /**
     * Probes until {@code done} accepts the value and returns that value.
     *
     * @throws AssertionError naming {@code describe} and the last value if none is accepted within {@code timeout}
     */
    public static <T> T value(Duration timeout, Probe<T> probe, Predicate<? super T> done, Supplier<String> describe) {
        T last = poll(timeout, probe, done);
        if (!done.test(last)) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + describe.get()
                    + " (last seen: " + last + ")");
        }
        return last;
    }

    /**
     * Probes until {@code done} accepts the value or {@code timeout} passes, and returns the last value
     * either way, for a caller that asserts on it.
     */
    public static <T> T poll(Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            T value = get(probe);
            long left = deadline - System.nanoTime();
            if (done.test(value) || left <= 0) {
                return value;
            }
            Pause.millis(Math.max(1, Math.min(pause, left / 1_000_000L)));
            pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
        }
    }

    /** {@link #poll} for a condition: whether it came to hold within {@code timeout}. */
    public static boolean holdsWithin(Duration timeout, Condition condition) {
        return poll(timeout, condition::holds, Boolean::booleanValue);
    }

    private static <T> T get(Probe<T> probe) {
        try {
            return probe.get();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (Exception e) {
            throw new AssertionError("probe failed: " + e, e);
        }
    }
}
