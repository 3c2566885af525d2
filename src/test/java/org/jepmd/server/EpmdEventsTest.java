package org.jepmd.server;

import org.jepmd.protocol.EpmdTag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every report reaches every observer as its event, in order; with no observer nothing is made. */
class EpmdEventsTest {
    private static final SocketAddress PEER = new InetSocketAddress("192.0.2.1", 50000);

    @Test
    void everyObserverSeesEveryEventInOrder() {
        List<String> seen = new ArrayList<>();
        EpmdEvents events = EpmdEvents.to(e -> seen.add("a " + e), null, e -> seen.add("b " + e));
        EpmdEventSamples.reportOneOfEach(events);
        List<String> expected = new ArrayList<>();
        for (EpmdEvent event : EpmdEventSamples.ONE_OF_EACH) {
            expected.add("a " + event);
            expected.add("b " + event);
        }
        assertEquals(expected, seen);
    }

    @Test
    void theSamplesCoverEveryKindOfEvent() {
        Set<Class<?>> kinds = Arrays.stream(EpmdEvent.class.getPermittedSubclasses()).collect(Collectors.toSet());
        assertEquals(kinds, EpmdEventSamples.ONE_OF_EACH.stream().map(Object::getClass).collect(Collectors.toSet()));
    }

    @Test
    void withoutObserversTheEventsAreNone() {
        assertSame(EpmdEvents.NONE, EpmdEvents.to());
        assertSame(EpmdEvents.NONE, EpmdEvents.to(List.of()));
        assertSame(EpmdEvents.NONE, EpmdEvents.to((EpmdObserver) null));
    }

    /**
     * The hot path (a PORT_PLEASE2 lookup reports a connection, a request, a lookup and bytes) with no
     * observer: less than a byte per lookup, where one event object each would be over 16 bytes.
     */
    @Test
    void withoutObserversReportingAllocatesNothing() {
        allocatedWhileReporting(EpmdEvents.NONE); // class loading and compilation, once
        long none = allocatedWhileReporting(EpmdEvents.NONE);
        EpmdEvent[] last = new EpmdEvent[1];
        long one = allocatedWhileReporting(EpmdEvents.to(e -> last[0] = e));
        assertTrue(none < ROUNDS, "no observer: " + none + " bytes allocated for " + ROUNDS + " lookups");
        assertTrue(one > ROUNDS * 16L, "the measurement sees an observer's events: " + one + " bytes");
    }

    private static final int ROUNDS = 100_000;

    private static long allocatedWhileReporting(EpmdEvents events) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            events.connectionOpened(PEER, false);
            events.bytesIn(9);
            events.request(EpmdTag.PORT_PLEASE2_REQ, PEER);
            events.lookup(null, false, PEER);
            events.bytesOut(2);
            events.connectionClosed(PEER);
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
