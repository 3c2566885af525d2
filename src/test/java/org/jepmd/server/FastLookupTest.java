package org.jepmd.server;

import io.netty.channel.epoll.Epoll;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.server.guard.ConnectionLimits;
import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.EpmdWire.Conn;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.jepmd.testing.EpmdWire.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lookups answered at accept on epoll ({@link FastLookup}): the answer, the events and the connection
 * guard are those of the ordinary channel path, byte for byte, with the fast path on and off; and
 * every case it does not answer reaches the ordinary channel unchanged, with the bytes it already read.
 * "Bytes already read" is made certain by holding the event loops while the client connects and sends,
 * so the accept (and the fast path's one read) comes after the bytes arrived.
 */
class FastLookupTest {
    private final List<RunningJepmd> daemons = new ArrayList<>();
    private final List<Conn> conns = new ArrayList<>();

    @BeforeEach
    void epollOnly() {
        if (!Epoll.isAvailable()) {
            org.jepmd.testing.Requirements.unavailable("the native epoll transport: " + Epoll.unavailabilityCause());
        }
        System.setProperty(Transport.PROPERTY, "epoll");
    }

    @AfterEach
    void stop() {
        conns.forEach(Conn::close);
        daemons.forEach(RunningJepmd::close);
        System.clearProperty(Transport.PROPERTY);
        System.clearProperty(FastLookup.PROPERTY);
    }

    @Test
    void lookupsAreAnsweredAtAcceptWithTheChannelPathsBytesAndEvents() {
        for (boolean fast : new boolean[] {true, false}) {
            Recorded on = new Recorded();
            RunningJepmd jepmd = start(fast, on.events(), b -> b);
            register(jepmd, "alpha", 40001);
            long before = BareConnections.answered();
            // the fast path answers only what is there at accept: the loops are held until it is
            // a connection's last event comes after its close, which the client may see first
            byte[] found = requestWhileLoopsAreHeld(jepmd, EpmdWire.portPlease2("alpha"));
            on.awaitCount(6);
            byte[] missing = requestWhileLoopsAreHeld(jepmd, EpmdWire.portPlease2("nobody"));
            on.awaitCount(12);
            byte[] names = requestWhileLoopsAreHeld(jepmd, EpmdWire.names());
            assertEquals(fast ? 3 : 0, BareConnections.answered() - before, "answered at accept, fast path " + fast);
            assertArrayEquals(ALPHA_AT_40001, found);
            assertArrayEquals(new byte[] {119, 1}, missing);
            assertArrayEquals(EpmdWire.concat(ByteBuffer.allocate(4).putInt(jepmd.port()).array(),
                    EpmdWire.utf8("name alpha at port 40001\n")), names);
            on.awaitCount(3 * 6);
            assertEquals(List.of(
                    "ConnectionOpened", "BytesIn 8", "Request PORT_PLEASE2_REQ", "Lookup true", "BytesOut 19", "ConnectionClosed",
                    "ConnectionOpened", "BytesIn 9", "Request PORT_PLEASE2_REQ", "Lookup false", "BytesOut 2", "ConnectionClosed",
                    "ConnectionOpened", "BytesIn 3", "Request NAMES_REQ", "BytesOut 4", "BytesOut 25", "ConnectionClosed"),
                    on.names(), "events, fast path " + fast);
        }
    }

    @Test
    void aReplyLongerThanTheLoopsBufferIsWrittenWholeAndTheNextShortOneIsNotMixedWithIt() {
        RunningJepmd jepmd = start(true, EpmdEvents.NONE, b -> b);
        // NAMES of 8 nodes whose names are 200 four-byte characters: 8 lines of 826 bytes, beyond the 4 KiB buffer
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            String name = "\uD83D\uDE00".repeat(200) + i;
            register(jepmd, name, 40010 + i);
            expected.insert(0, "name " + name + " at port " + (40010 + i) + "\n");
        }
        long before = BareConnections.answered();
        byte[] longReply = requestWhileLoopsAreHeld(jepmd, EpmdWire.names());
        byte[] shortReply = requestWhileLoopsAreHeld(jepmd, EpmdWire.portPlease2("\uD83D\uDE00".repeat(200) + 0));
        assertEquals(2, BareConnections.answered() - before, "answered at accept");
        byte[] lines = expected.toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(lines.length > 4096, lines.length + " bytes");
        assertArrayEquals(EpmdWire.concat(ByteBuffer.allocate(4).putInt(jepmd.port()).array(), lines), longReply);
        assertEquals(2 + 2 + 1 + 1 + 2 + 2 + 2 + 801 + 2, shortReply.length, "PORT2_RESP of the first node");
    }

    @Test
    void aLookupSentAfterTheAcceptIsAnsweredByTheWaitingDescriptor() throws Exception {
        for (boolean fast : new boolean[] {true, false}) {
            Recorded on = new Recorded();
            RunningJepmd jepmd = start(fast, on.events(), b -> b);
            register(jepmd, "alpha", 40001);
            long before = BareConnections.answered();
            Conn conn = connect(jepmd);
            Thread.sleep(200); // accepted long before the request comes
            byte[] reply = conn.send(frame(EpmdWire.portPlease2("alpha"))).readUntilClose(5000);
            assertArrayEquals(new byte[] {119, 0}, Arrays.copyOf(reply, 2));
            assertEquals(fast ? 1 : 0, BareConnections.answered() - before, "answered without a channel, fast path " + fast);
            on.awaitCount(6);
            assertEquals(List.of("ConnectionOpened", "BytesIn 8", "Request PORT_PLEASE2_REQ", "Lookup true",
                    "BytesOut 19", "ConnectionClosed"), on.names(), "fast path " + fast);
        }
    }

    @Test
    void aConnectionThatSendsNothingTimesOutAsBefore() {
        for (boolean fast : new boolean[] {true, false}) {
            Recorded on = new Recorded();
            RunningJepmd jepmd = start(fast, on.events(), b -> b.packetTimeout(Duration.ofSeconds(1)));
            Conn conn = connect(jepmd);
            long start = System.nanoTime();
            assertTrue(conn.closesSilentlyWithin(8000), "closed after the packet timeout, fast path " + fast);
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(800), "not before the timeout");
            on.awaitCount(3);
            assertEquals(List.of("ConnectionOpened", "TimedOut", "ConnectionClosed"), on.names(), "fast path " + fast);
        }
    }

    @Test
    void thePacketTimeoutRunsFromAcceptThroughTheWaitIntoTheChannel() throws Exception {
        Recorded on = new Recorded();
        RunningJepmd jepmd = start(true, on.events(), b -> b.packetTimeout(Duration.ofSeconds(2)));
        Conn conn = connect(jepmd);
        long start = System.nanoTime();
        Thread.sleep(1500); // waits as a bare descriptor
        conn.send(new byte[] {0, 10, 'z'}); // part of a packet: the channel takes over
        assertTrue(conn.closesSilentlyWithin(8000), "closed");
        long elapsed = System.nanoTime() - start;
        // from accept: ~2 s; from the hand-over to the channel it would be ~3.5 s
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(1800) && elapsed < TimeUnit.MILLISECONDS.toNanos(3000),
                "closed " + elapsed / 1_000_000 + " ms after connecting");
        on.awaitCount(4);
        assertEquals(List.of("ConnectionOpened", "BytesIn 3", "TimedOut", "ConnectionClosed"), on.names());
    }

    @Test
    void aPacketInTwoWritesGoesToTheChannelWithTheFirstPartAndIsAnswered() throws Exception {
        RunningJepmd jepmd = start(true, EpmdEvents.NONE, b -> b);
        register(jepmd, "alpha", 40001);
        byte[] lookup = frame(EpmdWire.portPlease2("alpha"));
        long answered = BareConnections.answered();
        Conn conn = connectWhileLoopsAreHeld(jepmd, Arrays.copyOf(lookup, 4));
        Thread.sleep(300); // the daemon has read the first part by now
        conn.send(Arrays.copyOfRange(lookup, 4, lookup.length));
        byte[] reply = conn.readUntilClose(5000);
        assertEquals(119, reply[0]);
        assertEquals(0, reply[1]);
        assertEquals(0, BareConnections.answered() - answered);
    }

    @Test
    void aRegistrationInTheFirstReadIsKeptAndLookupsAfterItSeeIt() {
        RunningJepmd jepmd = start(true, EpmdEvents.NONE, b -> b);
        Conn node = connectWhileLoopsAreHeld(jepmd, frame(EpmdWire.alive2("beta", 40002)));
        byte[] reply = node.readExactly(6, 5000); // ALIVE2_X_RESP: tag, result, 4-byte creation
        assertEquals(118, reply[0]); // ALIVE2_X_RESP
        assertEquals(0, reply[1]);
        long answered = BareConnections.answered();
        byte[] found = requestWhileLoopsAreHeld(jepmd, EpmdWire.portPlease2("beta"));
        assertArrayEquals(new byte[] {119, 0}, Arrays.copyOf(found, 2));
        assertArrayEquals(EpmdWire.u16(40002), Arrays.copyOfRange(found, 2, 4));
        assertEquals(1, BareConnections.answered() - answered);
        assertTrue(node.staysOpenFor(200), "the registration's connection stays open");
        node.close();
        org.jepmd.testing.Await.until(Duration.ofSeconds(5), () -> jepmd.server().registry().isEmpty(), () -> "unregistered");
        assertArrayEquals(new byte[] {119, 1}, requestWhileLoopsAreHeld(jepmd, EpmdWire.portPlease2("beta")));
    }

    @Test
    void badPacketsInTheFirstReadAreDroppedByTheChannelAsBefore() {
        Recorded on = new Recorded();
        RunningJepmd jepmd = start(true, on.events(), b -> b);
        long answered = BareConnections.answered();
        List<byte[]> bad = List.of(
                frame(new byte[] {'X'}), // unknown tag
                frame(EpmdWire.concat(new byte[] {'z'}, EpmdWire.utf8("a"), new byte[] {0, 'b'})), // NUL in the name
                new byte[] {0, 0}, // length 0
                EpmdWire.concat(frame(EpmdWire.names()), frame(EpmdWire.names()))); // two requests in one read
        for (byte[] packet : bad) {
            Conn conn = connectWhileLoopsAreHeld(jepmd, packet);
            assertTrue(conn.closesSilentlyWithin(5000), "closed without a reply");
        }
        assertEquals(0, BareConnections.answered() - answered);
        on.awaitCount(bad.size() * 4);
        assertEquals(bad.size(), Collections.frequency(on.kinds(), "Dropped"), on.names().toString());
        assertEquals(bad.size(), Collections.frequency(on.kinds(), "ConnectionClosed"), on.names().toString());
    }

    @Test
    void anUnfinishedFirstReadStillTimesOut() {
        Recorded on = new Recorded();
        RunningJepmd jepmd = start(true, on.events(), b -> b.packetTimeout(Duration.ofSeconds(1)));
        Conn conn = connectWhileLoopsAreHeld(jepmd, new byte[] {0, 10, 'z'});
        long start = System.nanoTime();
        assertTrue(conn.closesSilentlyWithin(8000), "closed after the packet timeout");
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(500), "not before the timeout");
        on.awaitCount(4);
        assertEquals(List.of("ConnectionOpened", "BytesIn 3", "TimedOut", "ConnectionClosed"), on.names());
    }

    @Test
    void theGuardAtItsCapClosesALookupUnreadAndFreesTheSlotAfterEachAnswer() {
        Recorded on = new Recorded();
        RunningJepmd jepmd = start(true, on.events(), b -> b.connectionLimits(new ConnectionLimits(1, 1, 0)));
        long before = BareConnections.answered();
        for (int i = 0; i < 3; i++) { // each answer gives its slot back
            assertArrayEquals(new byte[] {119, 1}, requestWhileLoopsAreHeld(jepmd, EpmdWire.portPlease2("nobody")));
        }
        assertEquals(3, BareConnections.answered() - before);
        on.awaitCount(3 * 6); // the last lookup's close, after its slot came back
        Conn holder = connect(jepmd);
        assertTrue(holder.staysOpenFor(200));
        long answered = BareConnections.answered();
        Conn refused = connectWhileLoopsAreHeld(jepmd, frame(EpmdWire.portPlease2("nobody")));
        assertTrue(refused.closesSilentlyWithin(5000), "closed unanswered (a reset counts: its bytes were never read)");
        assertEquals(0, BareConnections.answered() - answered);
        on.awaitCount(3 * 6 + 2);
        assertEquals(1, Collections.frequency(on.kinds(), "ConnectionRefused"), on.names().toString());
        holder.close();
        on.awaitCount(3 * 6 + 3); // the holder's close, with its slot given back
        assertArrayEquals(new byte[] {119, 1}, request(jepmd, EpmdWire.portPlease2("nobody")));
    }

    @Test
    void connectionsQueuedAtOneWakeUpAreEachServedAsAlone() {
        Recorded on = new Recorded();
        RunningJepmd jepmd = start(true, on.events(), b -> b);
        register(jepmd, "alpha", 40001);
        // more than one wake-up's worth (16) behind each listener; among the lookups a registration
        // (a channel), half a packet (a channel that waits) and a lookup of an unknown name
        byte[] lookup = frame(EpmdWire.portPlease2("alpha"));
        List<byte[]> sends = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            sends.add(lookup);
        }
        sends.set(7, frame(EpmdWire.alive2("queued", 40002)));
        sends.set(21, Arrays.copyOf(lookup, 4)); // the only 4-byte read
        sends.set(33, frame(EpmdWire.portPlease2("nobody")));
        long before = BareConnections.answered();
        List<Conn> queued = connectAllWhileLoopsAreHeld(jepmd, sends);
        for (int i = 0; i < queued.size(); i++) {
            if (i == 7) {
                assertArrayEquals(new byte[] {118, 0}, queued.get(i).readExactly(2, 5000), "ALIVE2_X_RESP");
            } else if (i == 21) {
                // the rest only once the first part was read: sent together, they are a lookup at accept
                Await.until(Duration.ofSeconds(5), () -> on.names().contains("BytesIn 4"), () -> "the first part read");
                byte[] rest = Arrays.copyOfRange(lookup, 4, lookup.length);
                assertArrayEquals(ALPHA_AT_40001, queued.get(i).send(rest).readUntilClose(5000), "the packet's rest");
            } else {
                byte[] expected = i == 33 ? new byte[] {119, 1} : ALPHA_AT_40001;
                assertArrayEquals(expected, queued.get(i).readUntilClose(5000), "connection " + i);
            }
        }
        assertEquals(38, BareConnections.answered() - before, "answered at accept");
        assertNotNull(jepmd.server().registry().lookup(NodeName.of("queued")), "registered");
    }

    @Test
    void delayWriteTurnsTheFastPathOffAndStillAnswers() {
        RunningJepmd jepmd = start(true, EpmdEvents.NONE, b -> b.delayWrite(Duration.ofMillis(50)));
        long answered = BareConnections.answered();
        assertArrayEquals(new byte[] {119, 1}, requestWhileLoopsAreHeld(jepmd, EpmdWire.portPlease2("nobody")));
        assertEquals(0, BareConnections.answered() - answered);
    }

    // ---- helpers ----

    private RunningJepmd start(boolean fast, EpmdEvents events, UnaryOperator<ServerConfig.Builder> adjust) {
        System.setProperty(FastLookup.PROPERTY, String.valueOf(fast));
        RunningJepmd jepmd = RunningJepmd.start(events, adjust);
        daemons.add(jepmd);
        return jepmd;
    }

    private Conn connect(RunningJepmd jepmd) {
        Conn conn = EpmdWire.connect(jepmd.port());
        conns.add(conn);
        return conn;
    }

    private byte[] request(RunningJepmd jepmd, byte[] payload) {
        return connect(jepmd).send(frame(payload)).readUntilClose(5000);
    }

    private byte[] requestWhileLoopsAreHeld(RunningJepmd jepmd, byte[] payload) {
        return connectWhileLoopsAreHeld(jepmd, frame(payload)).readUntilClose(5000);
    }

    /** Connects and sends {@code bytes} while every event loop is busy, so they are there at accept. */
    private Conn connectWhileLoopsAreHeld(RunningJepmd jepmd, byte[] bytes) {
        return connectAllWhileLoopsAreHeld(jepmd, List.of(bytes)).get(0);
    }

    /** One connection for each of {@code sends}, all made and sent while every event loop is busy: queued at accept. */
    private List<Conn> connectAllWhileLoopsAreHeld(RunningJepmd jepmd, List<byte[]> sends) {
        CountDownLatch sent = new CountDownLatch(1);
        List<CountDownLatch> held = new ArrayList<>();
        jepmd.server().eventLoops().forEach(loop -> {
            CountDownLatch holding = new CountDownLatch(1);
            held.add(holding);
            loop.execute(() -> {
                holding.countDown();
                try {
                    sent.await(5, TimeUnit.SECONDS);
                    Thread.sleep(50); // the bytes cross loopback
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        });
        try {
            for (CountDownLatch holding : held) {
                assertTrue(holding.await(5, TimeUnit.SECONDS), "event loop held");
            }
            List<Conn> made = new ArrayList<>();
            for (byte[] bytes : sends) {
                Conn conn = connect(jepmd);
                conn.send(bytes);
                made.add(conn);
            }
            return made;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            sent.countDown();
        }
    }

    /** PORT2_RESP for {@code register(jepmd, "alpha", 40001)}. */
    private static final byte[] ALPHA_AT_40001 = EpmdWire.concat(new byte[] {119, 0}, EpmdWire.u16(40001),
            new byte[] {77, 0}, EpmdWire.u16(6), EpmdWire.u16(5), EpmdWire.u16(5), EpmdWire.utf8("alpha"), EpmdWire.u16(0));

    private static void register(RunningJepmd jepmd, String name, int port) {
        jepmd.server().registry().register(new NodeInfo(NodeName.of(name), port,
                77, 0, 6, 5, new byte[0]), new Object(), 0, new InetSocketAddress("127.0.0.1", 50000));
    }

    /** The events a daemon reported, without peers (their ports differ from run to run). */
    private static final class Recorded {
        private final List<EpmdEvent> events = Collections.synchronizedList(new ArrayList<>());

        EpmdEvents events() {
            return EpmdEvents.to(events::add);
        }

        void awaitCount(int count) {
            Await.until(Duration.ofSeconds(5), () -> events.size() >= count, () -> count + " events, got " + names());
        }

        List<String> kinds() {
            synchronized (events) {
                return events.stream().map(e -> e.getClass().getSimpleName()).toList();
            }
        }

        List<String> names() {
            synchronized (events) {
                return events.stream().map(Recorded::describe).toList();
            }
        }

        private static String describe(EpmdEvent event) {
            String kind = event.getClass().getSimpleName();
            if (event instanceof EpmdEvent.BytesIn in) {
                return kind + " " + in.count();
            } else if (event instanceof EpmdEvent.BytesOut out) {
                return kind + " " + out.count();
            } else if (event instanceof EpmdEvent.Request request) {
                return kind + " " + request.tag();
            } else if (event instanceof EpmdEvent.Lookup lookup) {
                return kind + " " + lookup.hit();
            } else if (event instanceof EpmdEvent.ConnectionOpened opened) {
                assertTrue(opened.local(), "a loopback peer is local");
            }
            return kind;
        }
    }
}
