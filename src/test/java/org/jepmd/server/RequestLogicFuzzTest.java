package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.AbstractByteBufAllocator;
import org.jepmd.protocol.EpmdCodecException;
import org.jepmd.protocol.EpmdReplies;
import org.jepmd.protocol.EpmdRequest;
import org.jepmd.protocol.EpmdRequestDecoder;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.NodeRegistry;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.UnusedNode;
import org.jepmd.server.RequestLogic.Answer;
import org.jepmd.server.RequestLogic.Fate;
import org.jepmd.server.RequestLogic.Reply;
import org.jepmd.server.guard.QueryAccess;
import org.jepmd.testing.EpmdWire;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes {@link RequestLogic} directly, without sockets or event loops: random and mutated packets
 * from local and remote connections, decoded as the pipeline decodes them, answered, encoded as the
 * writer encodes them, and checked against a model of what epmd would hold after each one.
 * Invariants: no exception; every reply encodes to what epmd sends for the model's state; a live
 * registration is never taken over, changed or dropped by another connection's request; the
 * registry holds exactly the model's registrations, each owned by its open connection; no live name
 * is in the unused list; a dropped request changes nothing; every reply buffer is released.
 * <p>
 * {@code -Djepmd.fuzz.packets=N} (default 200,000, about two seconds) and {@code -Djepmd.fuzz.seed=S}
 * repeat or lengthen a run; {@code scripts/fuzz-long} runs a million.
 */
class RequestLogicFuzzTest {
    private static final int PACKETS = Integer.getInteger("jepmd.fuzz.packets", 200_000);
    private static final long SEED = Long.getLong("jepmd.fuzz.seed", System.nanoTime());
    private static final int CONFIGURED_PORT = 4369;
    private static final SocketAddress SERVER = new InetSocketAddress("127.0.0.1", CONFIGURED_PORT);
    private static final SocketAddress LOCAL_PEER = new InetSocketAddress("127.0.0.1", 40000);
    private static final SocketAddress REMOTE_PEER = new InetSocketAddress("192.0.2.7", 40000);
    private static final List<String> NAMES = List.of("a", "b", "node", "r\u00e9seau", "\u65e5\u672c",
            "x".repeat(255), "y".repeat(256), "ab\u0000c");

    @Test
    void requestLogicKeepsEpmdsRulesForAnyPacketSequence() {
        Random random = new Random(SEED);
        long started = System.nanoTime();
        Stats stats = new Stats();
        int worlds = 8;
        for (int w = 0; w < worlds; w++) {
            World world = new World(random, w % 2 == 0, w % 4 < 2, w >= 4);
            for (int i = 0; i < PACKETS / worlds; i++) {
                try {
                    world.step(stats);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("seed " + SEED + ", world " + w + ", packet " + i + ": " + e, e);
                }
            }
            world.closeEverything();
            assertEquals(0, world.registry.size(), "registrations left after every connection closed");
            stats.leaks += world.memory.unreleased();
        }
        assertEquals(0, stats.leaks, "reply buffers never released");
        System.out.printf("request-logic fuzz: seed %d, packets %d, registrations %d, refusals %d, lookups %d (hits %d),"
                        + " takeovers awaited %d, stops %d, dropped %d, crashes 0, invariant failures 0, leaks %d, %.1f s%n",
                SEED, stats.packets, stats.registrations, stats.refusals, stats.lookups, stats.hits, stats.awaits,
                stats.stops, stats.dropped, stats.leaks, (System.nanoTime() - started) / 1e9);
        assertTrue(stats.registrations > 0 && stats.hits > 0 && stats.awaits > 0 && stats.stops > 0
                && stats.dropped > 0, "the fuzz reached every kind of outcome");
    }

    private static final class Stats {
        long packets;
        long registrations;
        long refusals;
        long lookups;
        long hits;
        long awaits;
        long stops;
        long dropped;
        long leaks;
    }

    /** One daemon's request logic and a model of what it should hold. */
    private static final class World {
        final Random random;
        final NodeRegistry registry;
        final RequestLogic logic;
        final ServerContext server;
        final CountingAllocator memory = new CountingAllocator();
        final boolean relaxed;
        final boolean graceful;
        final Map<NodeName, Conn> model = new HashMap<>();
        final List<Conn> kept = new ArrayList<>();
        /** Connections whose close was asked for (by their peer, or by a STOP) but has not been processed yet. */
        final List<Conn> closing = new ArrayList<>();
        int nextFd = 10;

        World(Random random, boolean relaxed, boolean graceful, boolean queriesLocalOnly) {
            this.random = random;
            this.relaxed = relaxed;
            this.graceful = graceful;
            ServerConfig config = ServerConfig.builder().port(CONFIGURED_PORT).relaxedCommandCheck(relaxed)
                    .takeoverGrace(graceful ? Duration.ofMillis(500) : Duration.ZERO)
                    .queryAccess(queriesLocalOnly ? QueryAccess.parse("127.0.0.0/8") : QueryAccess.OPEN)
                    .build();
            this.registry = new NodeRegistry(config.maxUnusedNames(), () -> 1_700_000_000L);
            this.server = new ServerContext(config, EpmdEvents.NONE, registry, Transport.best(), () -> { }, null);
            this.logic = new RequestLogic(config, registry, EpmdEvents.NONE);
        }

        void step(Stats stats) {
            stats.packets++;
            if (!kept.isEmpty() && (kept.size() > 40 || random.nextInt(4) == 0)) {
                Conn victim = kept.remove(random.nextInt(kept.size()));
                victim.cause = random.nextBoolean() ? UnregisterCause.CONNECTION_CLOSED : UnregisterCause.UNEXPECTED_DATA;
                victim.close(); // its peer closed; the daemon hears of it later
            }
            while (!closing.isEmpty() && random.nextInt(3) == 0) {
                closeNow(closing.get(random.nextInt(closing.size())));
            }
            Conn conn = new Conn(this, random.nextInt(5) > 0 ? LOCAL_PEER : REMOTE_PEER, nextFd++);
            byte[] packet = randomPacket();
            Map<NodeName, Conn> before = new HashMap<>(model);
            Answer answer;
            EpmdRequest request = null;
            try {
                request = EpmdRequestDecoder.decode(Unpooled.wrappedBuffer(packet));
                answer = logic.handle(request, conn);
            } catch (EpmdCodecException rejected) {
                answer = logic.rejected(rejected, conn);
            }
            if (answer instanceof Answer.AwaitHolder wait) {
                stats.awaits++;
                answer = awaitHolder(conn, (EpmdRequest.Alive2) request, wait);
            }
            if (answer instanceof Answer.CloseUnanswered) {
                stats.dropped++;
                assertEquals(before, model, "a dropped request changed the model");
                closeNow(conn);
            } else {
                follow(conn, request, (Answer.Send) answer, stats);
            }
            checkRegistry();
        }

        private Answer awaitHolder(Conn conn, EpmdRequest.Alive2 request, Answer.AwaitHolder wait) {
            assertTrue(graceful, "a takeover wait without a grace period");
            Conn holder = model.get(request.node().name());
            assertSame(holder, wait.holder(), "waits for someone other than the name's holder");
            assertFalse(holder == conn);
            if (closing.contains(holder) && random.nextBoolean()) {
                closeNow(holder); // the holder's close is processed within the grace period
            }
            Answer second = logic.registerAfterGrace(wait.node(), conn);
            assertTrue(second instanceof Answer.Send, "the second decision answers");
            return second;
        }

        private void follow(Conn conn, EpmdRequest request, Answer.Send send, Stats stats) {
            Reply reply = send.reply();
            byte[] bytes = encode(reply);
            assertTrue(conn.local || !(reply instanceof Reply.Alive2 || reply instanceof Reply.Dump
                    || reply instanceof Reply.Kill || reply instanceof Reply.Stop || reply instanceof Reply.JepmdInfo),
                    "a local-only request answered to a remote peer: " + reply);
            if (reply instanceof Reply.Alive2 alive2) {
                assertEquals(Fate.KEEP, send.fate());
                NodeInfo node = ((EpmdRequest.Alive2) request).node();
                Conn holder = model.get(node.name());
                if (alive2.registered() != null) {
                    stats.registrations++;
                    assertNull(holder, "registered over a live registration");
                    assertTrue(node.name().utf8CodePoints() <= 255, "a name epmd refuses was registered");
                    assertEquals(node, alive2.registered().info(), "registered something other than was sent");
                    model.put(node.name(), conn);
                    RegisteredNode registered = alive2.registered();
                    conn.whenClosed(() -> logic.released(registered, conn, conn.cause));
                    assertEquals(0, bytes[1], "result");
                } else {
                    stats.refusals++;
                    assertEquals(1, bytes[1], "result");
                }
                assertEquals(node.highestVersion() >= 6 ? 'v' : 'y', bytes[0]);
                kept.add(conn);
                return;
            }
            if (reply instanceof Reply.Port2 port2) {
                stats.lookups++;
                Conn holder = model.get(port2.name());
                if (holder == null) {
                    assertArrayEquals(new byte[] {'w', 1}, bytes);
                } else {
                    stats.hits++;
                    ByteBuf expected = EpmdReplies.port2Found(memory, registry.lookup(port2.name()).info());
                    assertArrayEquals(ByteBufUtil.getBytes(expected), bytes, "lookup reply");
                    expected.release();
                }
            } else if (reply instanceof Reply.Names) {
                assertEquals(namesReply(), new String(bytes, 4, bytes.length - 4, StandardCharsets.UTF_8));
                assertEquals(CONFIGURED_PORT, ByteBuffer.wrap(bytes).getInt());
            } else if (reply instanceof Reply.Dump) {
                assertArrayEquals(dumpReply(), Arrays.copyOfRange(bytes, 4, bytes.length), "DUMP lines");
            } else if (reply instanceof Reply.Kill kill) {
                assertEquals(relaxed || model.isEmpty(), kill.accepted());
                assertEquals(kill.accepted() ? Fate.STOP_DAEMON : Fate.CLOSE, send.fate());
            } else if (reply instanceof Reply.Stop stop) {
                assertTrue(relaxed, "STOP answered without -relaxed_command_check");
                NodeName name = ((EpmdRequest.Stop) request).name();
                Conn holder = model.remove(name);
                assertEquals(holder != null, stop.found());
                assertEquals(stop.found() ? "STOPPED" : "NOEXISTSTOPPED", new String(bytes, StandardCharsets.US_ASCII));
                if (holder != null) {
                    stats.stops++;
                    assertTrue(closing.contains(holder) || !holder.open, "the stopped node's connection was not closed");
                }
            }
            if (send.fate() != Fate.KEEP) {
                closeNow(conn);
            }
        }

        /** The daemon processes a connection's close: its close actions run, its registration ends. */
        void closeNow(Conn conn) {
            closing.remove(conn);
            kept.remove(conn);
            if (conn.open) {
                conn.open = false;
                conn.closeActions.forEach(Runnable::run);
                model.values().removeIf(owner -> owner == conn);
            }
        }

        /** Encodes as the handler's writer does, sometimes abandoning a multi-piece reply half-way. */
        private byte[] encode(Reply reply) {
            ByteBuf whole = ReplySources.whole(reply, memory, server);
            if (whole != null) {
                byte[] bytes = ByteBufUtil.getBytes(whole);
                whole.release();
                return bytes;
            }
            ReplyStream.Source pieces = ReplySources.pieces(reply, memory, server);
            if (random.nextInt(50) == 0) {
                ByteBuf first = pieces.next(memory);
                first.release();
                pieces.discard(); // the peer went away
                return encode(reply);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteBuf piece = pieces.next(memory); piece != null; piece = pieces.next(memory)) {
                out.writeBytes(ByteBufUtil.getBytes(piece));
                piece.release();
            }
            return out.toByteArray();
        }

        private String namesReply() {
            StringBuilder out = new StringBuilder();
            for (RegisteredNode node : registry.newestFirst()) {
                out.append("name ").append(node.name()).append(" at port ").append(node.info().port()).append('\n');
            }
            return out.toString();
        }

        /** The live registrations newest first, then the unused names, as DUMP lists them. */
        private byte[] dumpReply() {
            assertEquals(model.size(), registry.newestFirst().size());
            ByteBuf out = Unpooled.buffer();
            for (RegisteredNode node : registry.newestFirst()) {
                assertSame(model.get(node.name()), node.owner());
                EpmdReplies.writeDumpActiveLine(out, node.name(), node.info().port(), node.fd());
            }
            for (UnusedNode node : registry.unused()) {
                EpmdReplies.writeDumpUnusedLine(out, node.name(), node.port(), node.fd());
            }
            return ByteBufUtil.getBytes(out);
        }

        private void checkRegistry() {
            assertEquals(model.size(), registry.size(), "registry size");
            for (Map.Entry<NodeName, Conn> entry : model.entrySet()) {
                RegisteredNode node = registry.lookup(entry.getKey());
                assertNotNull(node, "a live registration vanished: " + entry.getKey());
                assertSame(entry.getValue(), node.owner(), "a registration changed hands: " + entry.getKey());
                assertTrue(entry.getValue().open, "a registration outlived its connection");
            }
            if (random.nextInt(64) == 0) {
                Set<NodeName> unused = new HashSet<>();
                for (UnusedNode node : registry.unused()) {
                    unused.add(node.name());
                }
                unused.retainAll(model.keySet());
                assertTrue(unused.isEmpty(), "live names in the unused list: " + unused);
            }
        }

        void closeEverything() {
            for (Conn conn : new ArrayList<>(kept)) {
                closeNow(conn);
            }
            for (Conn conn : new ArrayList<>(closing)) {
                closeNow(conn);
            }
            assertTrue(model.isEmpty());
        }

        // ---- packets ----

        private byte[] randomPacket() {
            switch (random.nextInt(12)) {
                case 0, 1, 2:
                    return mutate(alive2(name(), random.nextInt(65536), random.nextInt(3) == 0 ? 5 : 6));
                case 3, 4, 5:
                    return EpmdWire.concat(new byte[] {'z'}, nameBytes(name()), random.nextInt(8) == 0 ? new byte[] {0} : new byte[0]);
                case 6:
                    return new byte[] {'n'};
                case 7:
                    return new byte[] {'d'};
                case 8:
                    return new byte[] {'k'};
                case 9:
                    return random.nextInt(8) == 0 ? new byte[] {'s'} : EpmdWire.concat(new byte[] {'s'}, nameBytes(name()));
                case 10:
                    return random.nextInt(4) == 0 ? new byte[] {'i', 0} : new byte[] {'i'};
                default:
                    byte[] garbage = new byte[1 + random.nextInt(40)];
                    random.nextBytes(garbage);
                    return garbage;
            }
        }

        private String name() {
            return NAMES.get(random.nextInt(NAMES.size()));
        }

        private byte[] nameBytes(String name) {
            if (random.nextInt(40) == 0) {
                return new byte[] {(byte) 0xC3, (byte) 0x28}; // not UTF-8
            }
            return name.getBytes(StandardCharsets.UTF_8);
        }

        private byte[] alive2(String name, int port, int highestVersion) {
            byte[] nameBytes = nameBytes(name);
            byte[] extra = random.nextInt(10) == 0 ? new byte[1021] : new byte[random.nextInt(3)];
            return EpmdWire.alive2(port, 77, 0, highestVersion, 5, nameBytes, extra);
        }

        private byte[] mutate(byte[] packet) {
            switch (random.nextInt(10)) {
                case 0:
                    return Arrays.copyOf(packet, 1 + random.nextInt(packet.length)); // truncated
                case 1:
                    byte[] corrupted = packet.clone();
                    corrupted[1 + random.nextInt(packet.length - 1)] = (byte) random.nextInt(256);
                    return corrupted;
                case 2:
                    return EpmdWire.concat(packet, new byte[] {1, 2, 3}); // bytes after Extra
                default:
                    return packet;
            }
        }
    }

    /** A connection as the request logic sees it. */
    private static final class Conn implements RequestLogic.Connection {
        final World world;
        final SocketAddress peer;
        final boolean local;
        final int fd;
        final List<Runnable> closeActions = new ArrayList<>();
        boolean open = true;
        UnregisterCause cause = UnregisterCause.CONNECTION_CLOSED;

        Conn(World world, SocketAddress peer, int fd) {
            this.world = world;
            this.peer = peer;
            this.local = peer == LOCAL_PEER;
            this.fd = fd;
        }

        @Override
        public SocketAddress peer() {
            return peer;
        }

        @Override
        public boolean isLocal() {
            return local;
        }

        @Override
        public int fd() {
            return fd;
        }

        /** Asks for the close; as with a Netty channel closed from elsewhere, it is processed later. */
        @Override
        public void close() {
            if (open && !world.closing.contains(this)) {
                world.closing.add(this);
            }
        }

        @Override
        public void whenClosed(Runnable action) {
            if (!open) {
                fail("close action added to a closed connection");
            }
            closeActions.add(action);
        }
    }

    /** Heap buffers, each remembered until the end of the run to check that it was released. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        CountingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buffer = Unpooled.buffer(initialCapacity, maxCapacity);
            if (allocated.size() > 100_000) {
                allocated.removeIf(b -> b.refCnt() == 0);
            }
            allocated.add(buffer);
            return buffer;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        long unreleased() {
            return allocated.stream().filter(b -> b.refCnt() > 0).count();
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
