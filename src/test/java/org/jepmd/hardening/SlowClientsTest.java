package org.jepmd.hardening;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.JepmdProcess;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of connections that send nothing or dribble a byte at a time neither slow down the
 * lookups of others nor outlive the packet timeout, which counts from accept (docs/protocol.md, Packet timeout).
 *
 * <p>CI: 2,000 slow clients against in-process jepmd with a 2 s timeout. {@code scripts/slow-clients}
 * sets {@code -Djepmd.slowClients=10000}: then jepmd runs as a separate JVM, so that 10,000 client
 * sockets and 10,000 server sockets do not share one process's 20,000 descriptors.
 */
class SlowClientsTest {
    private static final int CLIENTS = Integer.getInteger("jepmd.slowClients", 2_000);
    private static final int TIMEOUT_SECONDS = Integer.getInteger("jepmd.slowTimeout", 2);
    private static final int LOOKUPS = 200;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void slowAndIdleClientsNeitherSlowLookupsNorOutliveThePacketTimeout() throws Exception {
        boolean external = CLIENTS > 4_000 || Boolean.getBoolean("jepmd.slowExternal");
        int port = FreePorts.next();
        AutoCloseable daemon;
        IntSupplier openConnections;
        if (external) {
            JepmdProcess process = JepmdProcess.start(port, "-packet_timeout", Integer.toString(TIMEOUT_SECONDS));
            daemon = process;
            openConnections = () -> -1;
        } else {
            RunningJepmd jepmd = RunningJepmd.start(b -> b.port(port).packetTimeout(Duration.ofSeconds(TIMEOUT_SECONDS)));
            daemon = jepmd;
            openConnections = () -> jepmd.server().openConnections();
        }
        try (daemon; EpmdWire.Conn node = EpmdWire.connect(port)) {
            node.send(EpmdWire.frame(EpmdWire.alive2("busy", 6000)));
            assertEquals(0, node.readExactly(6, 2_000)[1]);
            byte[] expected = Lookups.port2(port, "busy");

            long[] quiet = measureLookups(port, expected, LOOKUPS);
            try (SlowCrowd crowd = SlowCrowd.open(port, CLIENTS)) {
                crowd.startDribbling();
                if (!external) { // best effort: on a loaded box accepting them all may take a while
                    Lookups.millisUntil(() -> openConnections.getAsInt() == CLIENTS + 1, 1_000);
                }
                long[] loaded = measureLookups(port, expected, LOOKUPS);
                System.out.printf("PORT2 latency over %d lookups, p50/p99/max µs (2nd, 3rd slowest): quiet %s, with %d slow clients %s%n",
                        LOOKUPS, summary(quiet), CLIENTS, summary(loaded));
                // a shared 2-core CI box shows single outliers with or without load: judge p50 and p95
                assertTrue(percentile(loaded, 50) <= 3 * percentile(quiet, 50) + 2_000_000,
                        "median lookup slowed down by slow clients: " + summary(loaded) + " vs " + summary(quiet));
                assertTrue(percentile(loaded, 95) < 100_000_000, "lookups slowed down by slow clients: " + summary(loaded));

                long[] lifetimes = crowd.awaitAllClosed(TIMEOUT_SECONDS + 10);
                Arrays.sort(lifetimes);
                System.out.printf("%d slow clients closed after (ms from connect) min %d, p50 %d, max %d%n", CLIENTS,
                        lifetimes[0] / 1_000_000, lifetimes[lifetimes.length / 2] / 1_000_000,
                        lifetimes[lifetimes.length - 1] / 1_000_000);
                assertTrue(lifetimes[0] >= TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS) - 50_000_000L,
                        "a slow client was closed before its packet timeout");
                assertTrue(lifetimes[lifetimes.length - 1] <= TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS) + 2_500_000_000L,
                        "a dribbling client outlived its deadline from accept: " + lifetimes[lifetimes.length - 1] / 1_000_000 + " ms");
            }
            assertArrayEquals(expected, Lookups.port2(port, "busy"), "the registration changed");
            if (!external) {
                assertTrue(Lookups.millisUntil(() -> openConnections.getAsInt() == 1, 2_000) >= 0,
                        "connections left open: " + openConnections.getAsInt());
            }
        }
    }

    private static long[] measureLookups(int port, byte[] expected, int count) {
        long[] nanos = new long[count];
        int unanswered = 0;
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            byte[] reply = Lookups.port2(port, "busy"); // empty if not answered within 5 s
            nanos[i] = System.nanoTime() - start;
            if (reply.length == 0) {
                unanswered++;
            } else {
                assertArrayEquals(expected, reply);
            }
        }
        // one stall was seen once with the load average at 13 on 2 cores; more would be a real slowdown
        assertTrue(unanswered <= 1, unanswered + " of " + count + " lookups unanswered within 5 s");
        return nanos;
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
    }

    private static String summary(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return (percentile(sorted, 50) / 1000) + "/" + (percentile(sorted, 99) / 1000) + "/" + (sorted[sorted.length - 1] / 1000)
                + " (top: " + sorted[sorted.length - 2] / 1000 + ", " + sorted[sorted.length - 3] / 1000 + ")";
    }

    /** Non-blocking client sockets: half idle, half dribbling a valid packet's first bytes. */
    static final class SlowCrowd implements AutoCloseable {
        private final Selector selector;
        private final List<SocketChannel> channels = new ArrayList<>();
        private final long[] connectedAt;
        private final AtomicBoolean stop = new AtomicBoolean();
        private Thread dribbler;

        private SlowCrowd(Selector selector, int count) {
            this.selector = selector;
            this.connectedAt = new long[count];
        }

        static SlowCrowd open(int port, int count) throws IOException {
            SlowCrowd crowd = new SlowCrowd(Selector.open(), count);
            for (int i = 0; i < count; i++) {
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.connect(new InetSocketAddress("127.0.0.1", port));
                crowd.connectedAt[i] = System.nanoTime();
                ch.configureBlocking(false);
                ch.register(crowd.selector, SelectionKey.OP_READ, i);
                crowd.channels.add(ch);
            }
            return crowd;
        }

        /** Every other client sends one byte of a 200-byte PORT_PLEASE2 every 300 ms. */
        void startDribbling() {
            dribbler = new Thread(() -> {
                ByteBuffer one = ByteBuffer.allocate(1);
                byte[] packet = EpmdWire.frame(EpmdWire.concat(new byte[] {'z'}, new byte[199]));
                Arrays.fill(packet, 3, packet.length, (byte) 'a');
                for (int round = 0; !stop.get() && round < packet.length; round++) {
                    for (int i = 1; i < channels.size(); i += 2) {
                        SocketChannel ch = channels.get(i);
                        try {
                            one.clear();
                            one.put(packet[round]).flip();
                            ch.write(one);
                        } catch (IOException closed) {
                            // closed by the daemon at its deadline
                        }
                    }
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "dribbler");
            dribbler.setDaemon(true);
            dribbler.start();
        }

        /** Waits until the daemon has closed every client; returns each one's lifetime in ns. */
        long[] awaitAllClosed(int seconds) throws IOException {
            long[] lifetime = new long[channels.size()];
            int open = channels.size();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ByteBuffer sink = ByteBuffer.allocate(256);
            while (open > 0 && System.nanoTime() < deadline) {
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    int i = (Integer) key.attachment();
                    sink.clear();
                    int n;
                    try {
                        n = ((SocketChannel) key.channel()).read(sink);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n < 0) {
                        lifetime[i] = System.nanoTime() - connectedAt[i];
                        key.cancel();
                        open--;
                    } else if (n > 0) {
                        throw new AssertionError("a slow client got a reply: " + n + " bytes");
                    }
                }
                selector.selectedKeys().clear();
            }
            assertEquals(0, open, open + " slow clients still open after " + seconds + " s");
            return lifetime;
        }

        @Override
        public void close() {
            stop.set(true);
            if (dribbler != null) {
                dribbler.interrupt();
            }
            for (SocketChannel ch : channels) {
                try {
                    ch.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            try {
                selector.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
