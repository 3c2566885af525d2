package org.jepmd.hardening;

import org.jepmd.testing.Pause;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.server.DirectMemoryBudget;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.ServerPipelines;
import org.jepmd.testing.EpmdWire;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the server's whole per-connection pipeline (framer, decoder, connection handler, one shared
 * registry) with jqwik: random sequences of connections from local and remote peers carrying valid,
 * mutated and random packets in random chunks, extra bytes, half-closes, closes and clock ticks.
 * After every step: no exception escaped and none was logged as unexpected, every live registration
 * answers PORT_PLEASE2 exactly as when it was made, and every registry entry is owned by an open
 * connection that got a success reply for exactly the ALIVE2 bytes it sent. After each property:
 * no ByteBuf leak reported by Netty's PARANOID leak detector.
 *
 * <p>jqwik rather than Jazzer: it is pure Java on the JUnit platform, runs offline, and generates
 * structured action sequences with shrinking; coverage guidance matters less here than sequences.
 * Tries: {@code -Djqwik.tries.default=N} (scripts/fuzz-long); CI uses the default in
 * {@code junit-platform.properties}.
 */
class PipelineFuzzTest {
    /**
     * A direct-memory budget of 40 bytes: two small replies fit, a NAMES piece never does, so
     * replies fail and close their connections throughout.
     */
    private static final DirectMemoryBudget TIGHT_BUDGET = new DirectMemoryBudget(40);
    static final AtomicLong SEQUENCES = new AtomicLong();
    static final AtomicLong PACKETS = new AtomicLong();
    static final AtomicLong REGISTRATIONS = new AtomicLong();
    private static final List<String> PROBLEMS = new CopyOnWriteArrayList<>();
    private static final Appender CAPTURE = new Appender();
    private static Level savedLevel;

    private static final SocketAddress LOCAL_PEER = new InetSocketAddress("127.0.0.1", 40000);
    private static final SocketAddress REMOTE_PEER = new InetSocketAddress("192.0.2.9", 40000);
    private static final SocketAddress SERVER = new InetSocketAddress("127.0.0.1", 4369);
    private static final List<String> NAMES = List.of("a", "b", "c", "node", "ü", "x@y");

    /** Collects unexpected errors from jepmd and leak reports from Netty. */
    private static final class Appender extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            String message = event.getFormattedMessage();
            if (message.contains("LEAK:") || message.startsWith("unexpected error") || event.getThrowableProxy() != null) {
                PROBLEMS.add(event.getLoggerName() + ": " + message
                        + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName()
                        + ": " + event.getThrowableProxy().getMessage()));
            }
        }
    }

    @BeforeContainer
    static void captureLogs() {
        Logger jepmd = (Logger) LoggerFactory.getLogger("jepmd");
        savedLevel = jepmd.getLevel();
        jepmd.setLevel(Level.WARN);
        jepmd.setAdditive(false);
        CAPTURE.start();
        jepmd.addAppender(CAPTURE);
        ((Logger) LoggerFactory.getLogger("io.netty")).addAppender(CAPTURE);
    }

    @AfterContainer
    static void report() {
        Logger jepmd = (Logger) LoggerFactory.getLogger("jepmd");
        jepmd.detachAppender(CAPTURE);
        jepmd.setLevel(savedLevel);
        jepmd.setAdditive(true);
        ((Logger) LoggerFactory.getLogger("io.netty")).detachAppender(CAPTURE);
        System.out.printf("fuzz: %d sequences, %d packets, %d registrations, %d problems, %d replies refused by the tight budget%n",
                SEQUENCES.get(), PACKETS.get(), REGISTRATIONS.get(), PROBLEMS.size(), TIGHT_BUDGET.refusals());
        assertTrue(TIGHT_BUDGET.refusals() > 0, "the tight budget never ran out: the memory-pressure property tested nothing");
        assertEquals(0, TIGHT_BUDGET.used(), "direct memory still held after every connection closed");
    }

    /** Collects leaked buffers: PARANOID tracks every buffer; a GC plus fresh allocations make it report. */
    @AfterProperty
    void noBufferLeaked() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Pause.millis(50); // the reference handler queues the collected buffers' trackers
            for (ByteBufAllocator alloc : List.of(PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT,
                    ByteBufAllocator.DEFAULT)) {
                for (int i = 0; i < 10; i++) {
                    alloc.buffer(16).release();
                }
            }
        }
        List<String> found = new ArrayList<>(PROBLEMS);
        PROBLEMS.clear();
        assertEquals(List.of(), found, "leaks or unexpected errors");
    }


    // ---- actions ----

    sealed interface Action permits Open, More, HalfClose, Close, Tick {
    }

    /** A new connection that sends {@code packet} split into {@code chunks} writes. */
    record Open(boolean local, byte[] packet, int chunks) implements Action {
        @Override
        public String toString() {
            return "Open(" + (local ? "local" : "remote") + ", " + hex(packet) + ", " + chunks + ")";
        }
    }

    /** More bytes on the {@code which}-th connection still open. */
    record More(int which, byte[] bytes) implements Action {
    }

    record HalfClose(int which) implements Action {
    }

    record Close(int which) implements Action {
    }

    record Tick(int millis) implements Action {
    }

    @Property(shrinking = net.jqwik.api.ShrinkingMode.BOUNDED)
    void thePipelineSurvivesAnySequenceAndKeepsEveryLiveRegistration(@ForAll("sequences") List<Action> actions) {
        run(actions, DirectMemoryBudget.DEFAULT);
    }

    /** The same under memory pressure: a reply that does not fit closes its connection, and nothing else. */
    @Property(shrinking = net.jqwik.api.ShrinkingMode.BOUNDED)
    void thePipelineSurvivesAnySequenceWithoutDirectMemory(@ForAll("sequences") List<Action> actions) {
        run(actions, TIGHT_BUDGET);
    }

    private static void run(List<Action> actions, DirectMemoryBudget memory) {
        SEQUENCES.incrementAndGet();
        ServerConfig config = ServerConfig.builder().packetTimeout(Duration.ofSeconds(2))
                .takeoverGrace(Duration.ofMillis(300)).build();
        World world = new World(new ServerPipelines(config, memory));
        try {
            for (Action action : actions) {
                world.apply(action);
                world.settle();
                world.checkInvariants();
            }
        } finally {
            world.closeAll();
        }
    }

    @Provide
    Arbitrary<List<Action>> sequences() {
        Arbitrary<Action> open = Combinators.combine(Arbitraries.of(true, true, false), packets(),
                Arbitraries.integers().between(1, 4)).as(Open::new);
        Arbitrary<Action> more = Combinators.combine(Arbitraries.integers().between(0, 7), bytes(0, 6)).as(More::new);
        Arbitrary<Action> half = Arbitraries.integers().between(0, 7).map(HalfClose::new);
        Arbitrary<Action> close = Arbitraries.integers().between(0, 7).map(Close::new);
        Arbitrary<Action> tick = Arbitraries.of(10, 150, 400, 2100).map(Tick::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, open), net.jqwik.api.Tuple.of(1, more), net.jqwik.api.Tuple.of(1, half),
                net.jqwik.api.Tuple.of(2, close), net.jqwik.api.Tuple.of(2, tick)).list().ofMinSize(3).ofMaxSize(40);
    }

    private static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    /** Valid requests, the same mutated, and noise. */
    static Arbitrary<byte[]> packets() {
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of(NAMES),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMinLength(0).ofMaxLength(6));
        Arbitrary<byte[]> alive = Combinators.combine(name, Arbitraries.integers().between(0, 65535),
                Arbitraries.of(5, 6), bytes(0, 3)).as((n, port, high, extra) ->
                EpmdWire.frame(EpmdWire.alive2(port, 77, 0, high, 5, EpmdWire.utf8(n), extra)));
        Arbitrary<byte[]> port2 = name.map(n -> EpmdWire.frame(EpmdWire.portPlease2(n)));
        Arbitrary<byte[]> simple = Arbitraries.of((int) 'n', (int) 'd', (int) 'k', (int) 's', (int) 'x', (int) 'z', (int) 'a', (int) 'p', 0, 255)
                .map(tag -> EpmdWire.frame(new byte[] {tag.byteValue()}));
        Arbitrary<byte[]> stop = name.map(n -> EpmdWire.frame(EpmdWire.concat(new byte[] {'s'}, EpmdWire.utf8(n))));
        Arbitrary<byte[]> valid = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, alive), net.jqwik.api.Tuple.of(2, port2),
                net.jqwik.api.Tuple.of(1, simple), net.jqwik.api.Tuple.of(1, stop));
        Arbitrary<byte[]> mutated = Combinators.combine(valid, Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 1 << 16), Arbitraries.bytes()).as(PipelineFuzzTest::mutate);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, valid), net.jqwik.api.Tuple.of(4, mutated),
                net.jqwik.api.Tuple.of(1, bytes(0, 40)));
    }

    /** One mutation: flip a byte, truncate, append, rewrite the length, or duplicate the packet. */
    static byte[] mutate(byte[] packet, int kind, int where, byte value) {
        int at = packet.length == 0 ? 0 : where % packet.length;
        return switch (kind) {
            case 0 -> {
                byte[] out = packet.clone();
                if (out.length > 0) {
                    out[at] ^= value == 0 ? 1 : value;
                }
                yield out;
            }
            case 1 -> Arrays.copyOf(packet, at);
            case 2 -> EpmdWire.concat(packet, new byte[] {value, (byte) where});
            case 3 -> {
                byte[] out = packet.clone();
                if (out.length >= 2) {
                    out[0] = (byte) (where >> 8);
                    out[1] = (byte) where;
                }
                yield out;
            }
            default -> EpmdWire.concat(packet, packet);
        };
    }

    // ---- the model ----

    /** Connections, what each sent, and the registrations that must survive. */
    static final class World {
        private final ServerPipelines server;
        private final List<Conn> conns = new ArrayList<>();
        /** name → PORT2 reply bytes seen when it registered, for registrations still undisturbed. */
        private final Map<NodeName, Expected> live = new HashMap<>();

        World(ServerPipelines server) {
            this.server = server;
        }

        record Expected(Conn owner, byte[] port2) {
        }

        static final class Conn {
            final EmbeddedChannel channel;
            /** What the registry records as the owner of this connection's registration. */
            final Object owner;
            final ByteArrayOutputStream sent = new ByteArrayOutputStream();
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            boolean disturbed;
            boolean registered;

            Conn(EmbeddedChannel channel) {
                this.channel = channel;
                this.owner = ServerPipelines.registrationOwner(channel);
            }
        }

        void apply(Action action) {
            if (action instanceof Open open) {
                Conn conn = new Conn(server.connect(open.local() ? LOCAL_PEER : REMOTE_PEER, SERVER));
                conns.add(conn);
                byte[] p = open.packet();
                int step = Math.max(1, (p.length + open.chunks() - 1) / open.chunks());
                for (int i = 0; i < p.length && conn.channel.isOpen(); i += step) {
                    send(conn, Arrays.copyOfRange(p, i, Math.min(p.length, i + step)));
                    conn.channel.runPendingTasks();
                }
                PACKETS.incrementAndGet();
            } else if (action instanceof More more) {
                Conn conn = pick(more.which());
                if (conn != null && more.bytes().length > 0) {
                    conn.disturbed = true;
                    send(conn, more.bytes());
                }
            } else if (action instanceof HalfClose half) {
                Conn conn = pick(half.which());
                if (conn != null) {
                    conn.disturbed = true;
                    conn.channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                }
            } else if (action instanceof Close close) {
                Conn conn = pick(close.which());
                if (conn != null) {
                    conn.disturbed = true;
                    conn.channel.close();
                }
            } else if (action instanceof Tick tick) {
                for (Conn conn : conns) {
                    conn.channel.advanceTimeBy(tick.millis(), TimeUnit.MILLISECONDS);
                }
            }
        }

        private void send(Conn conn, byte[] bytes) {
            conn.sent.writeBytes(bytes);
            conn.channel.writeInbound(Unpooled.copiedBuffer(bytes));
        }

        private Conn pick(int which) {
            List<Conn> open = conns.stream().filter(c -> c.channel.isOpen()).toList();
            return open.isEmpty() ? null : open.get(which % open.size());
        }

        /** Runs every pending task and timer, drains replies and records new registrations. */
        void settle() {
            for (int pass = 0; pass < 3; pass++) {
                for (Conn conn : conns) {
                    conn.channel.runPendingTasks();
                    conn.channel.runScheduledPendingTasks();
                    drain(conn);
                    conn.channel.checkException(); // nothing may reach the pipeline's tail
                }
            }
            for (Conn conn : conns) {
                byte[] got = conn.received.toByteArray();
                boolean success = got.length >= 4 && (got[0] == 'v' || got[0] == 'y') && got[1] == 0;
                if (success && !conn.registered && conn.channel.isOpen()) {
                    conn.registered = true;
                    REGISTRATIONS.incrementAndGet();
                    NodeName name = ownedName(conn);
                    assertNotNull(name, "a success reply but no registration owned by the connection");
                    live.put(name, new Expected(conn, lookup(name)));
                }
            }
        }

        private static void drain(Conn conn) {
            for (Object out; (out = conn.channel.readOutbound()) != null; ) {
                ByteBuf buf = (ByteBuf) out;
                try {
                    byte[] bytes = new byte[buf.readableBytes()];
                    buf.readBytes(bytes);
                    conn.received.writeBytes(bytes);
                } finally {
                    buf.release();
                }
            }
        }

        private NodeName ownedName(Conn conn) {
            for (RegisteredNode node : server.registry().newestFirst()) {
                if (node.owner() == conn.owner) {
                    return node.name();
                }
            }
            return null;
        }

        /** A PORT_PLEASE2 on a fresh local connection, as a client would see it. */
        private byte[] lookup(NodeName name) {
            Conn probe = new Conn(server.connect(LOCAL_PEER, SERVER));
            byte[] payload = EpmdWire.concat(new byte[] {'z'}, name.bytes());
            probe.channel.writeInbound(Unpooled.copiedBuffer(EpmdWire.frame(payload)));
            for (int i = 0; i < 3; i++) {
                probe.channel.runPendingTasks();
                drain(probe);
            }
            assertTrue(!probe.channel.isOpen(), "PORT_PLEASE2 connection left open");
            probe.channel.finishAndReleaseAll();
            return probe.received.toByteArray();
        }

        void checkInvariants() {
            for (Map.Entry<NodeName, Expected> entry : List.copyOf(live.entrySet())) {
                Expected expected = entry.getValue();
                if (expected.owner().disturbed) {
                    live.remove(entry.getKey());
                    continue;
                }
                assertTrue(expected.owner().channel.isOpen(), "an undisturbed registration connection was closed: "
                        + entry.getKey());
                assertArrayEquals(expected.port2(), lookup(entry.getKey()), "registration changed: " + entry.getKey());
            }
            for (RegisteredNode node : server.registry().newestFirst()) {
                Conn owner = conns.stream().filter(c -> c.owner == node.owner()).findFirst().orElse(null);
                if (owner == null) {
                    fail("registered by no connection of this run: " + node);
                }
                assertTrue(owner.channel.isOpen(), "registration outlived its connection: " + node);
                assertTrue(owner.registered, "registered without a success reply: " + node);
                assertTrue(sentEncodes(owner.sent.toByteArray(), node.info()), "registry holds what was not sent: "
                        + node + " from " + hex(owner.sent.toByteArray()));
            }
        }

        /**
         * True if {@code sent} begins with a frame whose ALIVE2 fields (docs/protocol.md, ALIVE2_REQ)
         * are {@code info}.
         */
        static boolean sentEncodes(byte[] sent, NodeInfo info) {
            if (sent.length < 15 || sent[2] != 'x') {
                return false;
            }
            int length = u16(sent, 0);
            int nlen = u16(sent, 11);
            int elenAt = 13 + nlen;
            if (elenAt + 2 > sent.length) {
                return false;
            }
            int elen = u16(sent, elenAt);
            return 2 + 13 + nlen + elen <= sent.length && 13 + nlen + elen <= length + 0
                    && u16(sent, 3) == info.port() && (sent[5] & 0xFF) == info.nodeType()
                    && (sent[6] & 0xFF) == info.protocol() && u16(sent, 7) == info.highestVersion()
                    && u16(sent, 9) == info.lowestVersion()
                    && Arrays.equals(Arrays.copyOfRange(sent, 13, 13 + nlen), info.name().bytes())
                    && Arrays.equals(Arrays.copyOfRange(sent, elenAt + 2, elenAt + 2 + elen), info.extra());
        }

        private static int u16(byte[] b, int at) {
            return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
        }

        void closeAll() {
            for (Conn conn : conns) {
                conn.channel.close();
                conn.channel.runPendingTasks();
                drain(conn);
                conn.channel.finishAndReleaseAll();
            }
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }
}
