package org.jepmd.testing;

/** Sleeping in tests: an interrupt is kept and ends the test. */
public final class Pause {
    private Pause() {
    }

    /** Sleeps {@code millis}; an interrupt restores the flag and fails the caller. */
    public static void millis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
