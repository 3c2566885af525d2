package org.jepmd.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a listener accepts again before it waits ({@link AcceptBatching}). */
class AcceptBatchingTest {

    /** One wake-up with {@code queued} connections waiting (fewer than the limit); returns the looks made. */
    private static int wakeUp(AcceptBatching batching, int queued) {
        int looks = 0;
        for (int accepted = 1; batching.lookAgain(accepted); accepted++) {
            looks++;
            boolean found = accepted < queued;
            batching.looked(found);
            if (!found) {
                break;
            }
        }
        return looks;
    }

    @Test
    void connectionsThatComeOneAtATimeCostAFailedLookOnlyAtEveryProbe() {
        AcceptBatching batching = new AcceptBatching();
        int failed = 0;
        for (int i = 0; i < 1600; i++) {
            failed += wakeUp(batching, 1);
        }
        // a dozen while the hit rate falls from where it starts, then one per PROBE_EVERY wake-ups
        assertTrue(failed <= 12 + 1600 / AcceptBatching.PROBE_EVERY + 1, failed + " failed looks");
        assertTrue(failed >= 1600 / AcceptBatching.PROBE_EVERY, "it still probes: " + failed);
    }

    @Test
    void aQueueIsTakenWholeUpToTheLimitPerWakeUp() {
        AcceptBatching batching = new AcceptBatching();
        for (int accepted = 1; accepted < AcceptBatching.MAX_PER_WAKEUP; accepted++) {
            assertTrue(batching.lookAgain(accepted), "after " + accepted);
            batching.looked(true);
        }
        assertFalse(batching.lookAgain(AcceptBatching.MAX_PER_WAKEUP), "the others on the loop get their turn");
    }

    @Test
    void loadAfterQuietIsNoticedAtTheNextProbeAndThenEveryQueueIsTakenWhole() {
        AcceptBatching batching = new AcceptBatching();
        for (int i = 0; i < 200; i++) {
            wakeUp(batching, 1);
        }
        int quietWakeUps = 0;
        while (wakeUp(batching, 5) == 0) {
            quietWakeUps++;
        }
        assertTrue(quietWakeUps < AcceptBatching.PROBE_EVERY, quietWakeUps + " wake-ups before the probe");
        // busy: queues of one and of five, in turn; each is taken whole, at a failed look each
        for (int i = 0; i < 100; i++) {
            int queued = i % 2 == 0 ? 1 : 5;
            assertEquals(queued, wakeUp(batching, queued), "looks at busy wake-up " + i);
        }
    }
}
