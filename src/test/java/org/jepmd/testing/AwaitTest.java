package org.jepmd.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded poll every test waits with: returns as soon as it holds, fails naming what it waited for. */
class AwaitTest {

    @Test
    void returnsTheFirstAcceptedValue() {
        AtomicInteger probes = new AtomicInteger();
        assertEquals(3, Await.value(Duration.ofSeconds(5), probes::incrementAndGet, n -> n == 3, () -> "three"));
        assertEquals(3, probes.get());
    }

    @Test
    void failsAfterTheTimeoutNamingWhatItAwaitedAndTheLastValue() {
        long start = System.nanoTime();
        AssertionError failure = assertThrows(AssertionError.class,
                () -> Await.until(Duration.ofMillis(200), () -> false, () -> "the moon to turn blue"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(failure.getMessage().contains("waiting for: the moon to turn blue (last seen: false)"),
                failure.getMessage());
        assertTrue(millis >= 200 && millis < 5_000, "gave up after " + millis + " ms");
    }

    @Test
    void pollReturnsTheLastValueWhenNoneIsAccepted() {
        AtomicInteger probes = new AtomicInteger();
        int last = Await.poll(Duration.ofMillis(100), probes::incrementAndGet, n -> false);
        assertEquals(probes.get(), last);
        assertTrue(last > 1, "probed again before giving up");
        assertFalse(Await.holdsWithin(Duration.ofMillis(50), () -> false));
    }

    @Test
    void aProbeThatThrowsFailsTheWait() {
        AssertionError failure = assertThrows(AssertionError.class, () -> Await.until(Duration.ofSeconds(5), () -> {
            throw new java.io.IOException("refused");
        }, () -> "a socket"));
        assertTrue(failure.getMessage().contains("refused"), failure.getMessage());
    }
}
