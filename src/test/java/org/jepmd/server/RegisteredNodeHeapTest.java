package org.jepmd.server;

import org.jepmd.testing.Await;
import org.jepmd.testing.HeldRegistrations;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A registration is an open connection for the node's whole life: on epoll a registered node must cost
 * the daemon's heap little more than its registry entry, at most 1 KiB (a Netty channel alone, kept for
 * the connection, costs more than that). Measured as the heap after a full collection with 2,000
 * nodes held by another process, less the heap with none.
 */
@Timeout(180)
class RegisteredNodeHeapTest {
    private static final int NODES = 2_000;
    private static final long BOUND = 1024;

    @Test
    void aRegisteredNodeCostsAtMostOneKibibyteOfHeap() throws IOException {
        assumeTrue(Transport.best().kind() == Transport.Kind.EPOLL, "registration watchers are for the epoll transport");
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b)) {
            EpmdServer server = jepmd.server();
            try (HeldRegistrations warmUp = HeldRegistrations.hold(jepmd.port(), 100, "warm")) {
                awaitRegistered(server, 100);
            }
            awaitRegistered(server, 0);
            long before = heapAfterFullGc();
            try (HeldRegistrations held = HeldRegistrations.hold(jepmd.port(), NODES, "held")) {
                awaitRegistered(server, NODES);
                long perNode = (heapAfterFullGc() - before) / NODES;
                System.out.println("heap per registered node: " + perNode + " B (" + NODES + " nodes)");
                assertTrue(perNode <= BOUND, "heap per registered node: " + perNode + " B, more than " + BOUND);
                assertEquals(NODES, server.openConnections(), "every registration is an open connection");
            }
            awaitRegistered(server, 0);
            assertEquals(0, Await.poll(Duration.ofSeconds(10), server::openConnections, n -> n == 0));
        }
    }

    private static void awaitRegistered(EpmdServer server, int count) {
        assertEquals(count, Await.poll(Duration.ofSeconds(30), () -> server.registry().newestFirst().size(),
                n -> n == count));
    }

    private static long heapAfterFullGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
