package org.jepmd.registry;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * epmd's node database rules (docs/protocol.md, Node names, Creation numbers and Unused names),
 * without Netty and with a test clock.
 */
class NodeRegistryTest {
    private static final SocketAddress PEER = new InetSocketAddress("127.0.0.1", 50123);

    private static final long T0 = 1_795_311_178L;

    private final AtomicLong clock = new AtomicLong(T0);
    private final NodeRegistry registry = new NodeRegistry(1000, clock::get);

    private static NodeInfo node(String name, int port) {
        return node(NodeName.of(name), port, new byte[0]);
    }

    private static NodeInfo node(NodeName name, int port, byte[] extra) {
        return new NodeInfo(name, port, 77, 0, 6, 5, extra);
    }

    private static RegisteredNode registered(Registration registration) {
        return assertInstanceOf(Registration.Registered.class, registration).node();
    }

    private static Registration.Refused refused(Registration registration) {
        return assertInstanceOf(Registration.Refused.class, registration);
    }

    private RegisteredNode register(String name, Object owner) {
        return registered(registry.register(node(name, 1000), owner, 5, PEER));
    }

    private static List<String> names(Iterable<RegisteredNode> nodes) {
        List<String> out = new java.util.ArrayList<>();
        nodes.forEach(n -> out.add(n.name().toString()));
        return out;
    }

    // ---- duplicates (docs/protocol.md, Node names) ----

    @Test
    void aLiveNameIsRefusedAndTheRefusalChangesNothing() {
        Object owner = new Object();
        RegisteredNode first = register("foo", owner);
        Registration.Refused refusal = refused(registry.register(node("foo", 2000), new Object(), 6, PEER));
        assertEquals(RefusalReason.NAME_OCCUPIED, refusal.reason());
        assertEquals("node name already occupied foo", refusal.message());
        assertSame(first, refusal.holder());
        assertSame(first, registry.lookup(NodeName.of("foo")));
        assertEquals(1000, registry.lookup(NodeName.of("foo")).info().port());
        assertEquals(1, registry.size());
        assertTrue(registry.unused().isEmpty(), "a refusal leaves the unused list alone");
    }

    @Test
    void theSameOwnerIsRefusedASecondNameHolderToo() {
        Object owner = new Object();
        register("foo", owner);
        assertEquals(RefusalReason.NAME_OCCUPIED, refused(registry.register(node("foo", 1), owner, 5, PEER)).reason());
    }

    @Test
    void namesAreComparedByteForByte() {
        register("foo", new Object());
        register("Foo", new Object());
        register("foo ", new Object());
        assertEquals(3, registry.size());
    }

    @Test
    void concurrentRegistrationsOfOneNameLetExactlyOneWin() throws Exception {
        int threads = 8;
        List<Registration> results = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<Thread> workers = new java.util.ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                results.add(registry.register(node("race", 1), new Object(), 1, PEER));
            });
            t.start();
            workers.add(t);
        }
        start.countDown();
        for (Thread t : workers) {
            t.join(5000);
        }
        assertEquals(threads, results.size());
        assertEquals(1, results.stream().filter(r -> r instanceof Registration.Registered).count());
        assertEquals(1, registry.size());
    }

    // ---- unregistration (docs/protocol.md, Unused names) ----

    @Test
    void onlyTheOwnerUnregistersItsName() {
        Object owner = new Object();
        RegisteredNode node = register("foo", owner);
        Object refusedDuplicate = new Object();
        refused(registry.register(node("foo", 1), refusedDuplicate, 6, PEER));
        assertNull(registry.unregister(NodeName.of("foo"), refusedDuplicate));
        assertNull(registry.unregister(NodeName.of("foo"), new Object()));
        assertSame(node, registry.lookup(NodeName.of("foo")));
        assertSame(node, registry.unregister(NodeName.of("foo"), owner));
        assertNull(registry.lookup(NodeName.of("foo")));
        assertNull(registry.unregister(NodeName.of("foo"), owner), "a second unregister finds nothing");
    }

    @Test
    void aStaleOwnerCannotUnregisterTheNamesNextHolder() {
        Object oldOwner = new Object();
        register("foo", oldOwner);
        registry.unregister(NodeName.of("foo"), oldOwner);
        Object newOwner = new Object();
        RegisteredNode current = register("foo", newOwner);
        assertNull(registry.unregister(NodeName.of("foo"), oldOwner));
        assertSame(current, registry.lookup(NodeName.of("foo")));
    }

    @Test
    void stopUnregistersWhoeverHoldsTheName() {
        Object owner = new Object();
        RegisteredNode node = register("foo", owner);
        assertSame(node, registry.stop(NodeName.of("foo")));
        assertTrue(registry.isEmpty());
        assertNull(registry.stop(NodeName.of("foo")));
        assertNull(registry.stop(NodeName.of("unknown")));
        assertEquals(List.of(new UnusedNode(NodeName.of("foo"), 1000, 5, T0 + 1)), registry.unused());
    }

    @Test
    void unregisteredNamesJoinTheTailOfTheUnusedListWithPortFdAndCreation() {
        Object a = new Object();
        Object b = new Object();
        registered(registry.register(node("a", 1), a, 11, PEER));
        registered(registry.register(node("b", 2), b, 12, PEER));
        registry.unregister(NodeName.of("b"), b);
        registry.unregister(NodeName.of("a"), a);
        assertEquals(List.of(new UnusedNode(NodeName.of("b"), 2, 12, T0 + 1),
                new UnusedNode(NodeName.of("a"), 1, 11, T0 + 1)), registry.unused());
    }

    // ---- creation (docs/protocol.md, Creation numbers) ----

    @Test
    void aNewNameGetsTheClockPlusOne() {
        assertEquals(T0 + 1, register("foo", new Object()).creation());
    }

    @Test
    void namesRegisteredInTheSameSecondShareTheirCreation() {
        assertEquals(register("a", new Object()).creation(), register("b", new Object()).creation());
    }

    @Test
    void reRegistrationGetsThePreviousCreationPlusOneWhateverTheClock() {
        long previous = 0;
        for (int i = 0; i < 5; i++) {
            Object owner = new Object();
            long creation = register("foo", owner).creation();
            if (i > 0) {
                assertEquals(previous + 1, creation, "registration " + i);
            }
            previous = creation;
            registry.unregister(NodeName.of("foo"), owner);
            clock.addAndGet(1000);
        }
        assertEquals(T0 + 5, previous);
    }

    @Test
    void theCounterWrapsAt32BitsAndNeverGoesBelowFour() {
        clock.set(0xFFFF_FFFFL);
        Object owner = new Object();
        assertEquals(4, register("wrap", owner).creation(), "0xFFFFFFFF + 1 wraps to 0, raised to 4");
        clock.set(0);
        assertEquals(4, register("zero", new Object()).creation(), "0 + 1 is below 4");
        clock.set(2);
        assertEquals(4, register("two", new Object()).creation());
        clock.set(3);
        assertEquals(4, register("three", new Object()).creation());
        clock.set(4);
        assertEquals(5, register("four", new Object()).creation());
        registry.unregister(NodeName.of("wrap"), owner);
        assertEquals(5, register("wrap", new Object()).creation());
    }

    @Test
    void creationAsSentIsTheFullCounterForV6AndCounterModThreePlusOneForV5() {
        RegisteredNode node = register("foo", new Object());
        assertEquals(T0 + 1, node.creationFor(6));
        assertEquals(T0 + 1, node.creationFor(7));
        assertEquals((T0 + 1) % 3 + 1, node.creationFor(5));
        assertEquals((T0 + 1) % 3 + 1, node.creationFor(0));
    }

    @Test
    void aNewNameRecyclesTheOldestUnusedCounterOnlyWhenTheListExceedsItsLimit() {
        NodeRegistry small = new NodeRegistry(5, clock::get);
        // six unused names, each with a distinct counter: more than the limit of 5
        for (int i = 0; i < 6; i++) {
            clock.set(T0 + 100 * i);
            Object owner = new Object();
            registered(small.register(node("old" + i, 1), owner, 1, PEER));
            small.unregister(NodeName.of("old" + i), owner);
        }
        assertEquals(6, small.unused().size());
        clock.set(T0 + 10_000);
        RegisteredNode recycled = registered(small.register(node("new", 1), new Object(), 1, PEER));
        assertEquals(T0 + 1, recycled.creation(), "inherits old0's counter, neither reset nor bumped");
        assertEquals(5, small.unused().size());
        assertEquals("old1", small.unused().get(0).name().toString());
        RegisteredNode fresh = registered(small.register(node("newer", 1), new Object(), 1, PEER));
        assertEquals(T0 + 10_001, fresh.creation(), "at the limit, a new name is seeded from the clock again");
        assertEquals(5, small.unused().size());
    }

    @Test
    void aNameInTheUnusedListIsTakenOutWhenItReRegisters() {
        Object owner = new Object();
        register("foo", owner);
        registry.unregister(NodeName.of("foo"), owner);
        assertEquals(1, registry.unused().size());
        register("foo", new Object());
        assertTrue(registry.unused().isEmpty());
    }

    @Test
    void theDefaultUnusedLimitIs1000() {
        for (int i = 0; i < 1001; i++) {
            clock.set(T0 + i);
            Object owner = new Object();
            register("n" + i, owner);
            registry.unregister(NodeName.of("n" + i), owner);
        }
        clock.set(T0 + 50_000);
        assertEquals(T0 + 1, register("fresh", new Object()).creation(), "1001 unused > 1000: n0's counter is recycled");
        assertEquals(T0 + 50_001, register("fresh2", new Object()).creation(), "1000 unused: no recycling");
    }

    // ---- order ----

    @Test
    void liveNodesAreListedNewestFirst() {
        Object a = new Object();
        register("a", a);
        register("b", new Object());
        register("c", new Object());
        assertEquals(List.of("c", "b", "a"), names(registry.newestFirst()));
        registry.unregister(NodeName.of("a"), a);
        register("a", new Object());
        assertEquals(List.of("a", "c", "b"), names(registry.newestFirst()));
    }

    // ---- name and Extra rules (docs/protocol.md, Node names and ALIVE2_REQ) ----

    @Test
    void anEmptyNameIsAccepted() {
        assertEquals(0, registered(registry.register(node(NodeName.of(""), 1, new byte[0]), new Object(), 1, PEER))
                .name().length());
    }

    @Test
    void aNameOf1020BytesAnd255CodePointsIsAccepted() {
        String name = "\uD83D\uDE00".repeat(255);
        assertEquals(1020, NodeName.of(name).length());
        registered(registry.register(node(name, 1), new Object(), 1, PEER));
    }

    @Test
    void aNameOf256CodePointsIsTooLong() {
        Registration.Refused refusal = refused(registry.register(node("a".repeat(256), 1), new Object(), 1, PEER));
        assertEquals(RefusalReason.NAME_TOO_LONG, refusal.reason());
        assertTrue(refusal.message().startsWith("node name is too long (256) "), refusal.message());
        assertTrue(registry.isEmpty());
    }

    @Test
    void aNameOfMoreThan1020BytesIsTooLong() {
        byte[] bytes = new byte[1021];
        java.util.Arrays.fill(bytes, (byte) 'a');
        Registration.Refused refusal = refused(registry.register(node(NodeName.of(bytes), 1, new byte[0]), new Object(), 1, PEER));
        assertEquals(RefusalReason.NAME_TOO_LONG, refusal.reason());
    }

    @Test
    void aNameThatIsNotUtf8IsRefused() {
        for (byte[] bad : List.of(new byte[] {(byte) 0xC0, (byte) 0x80}, new byte[] {'a', (byte) 0xFF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82})) {
            Registration.Refused refusal = refused(registry.register(node(NodeName.of(bad), 1, new byte[0]), new Object(), 1, PEER));
            assertEquals(RefusalReason.INVALID_NAME_ENCODING, refusal.reason());
            assertEquals("invalid node name encoding", refusal.message());
        }
        assertTrue(registry.isEmpty());
    }

    @Test
    void anExtraOf1020BytesIsKeptVerbatimAndOf1021Refused() {
        byte[] extra = new byte[1020];
        extra[5] = 'x';
        RegisteredNode node = registered(registry.register(node(NodeName.of("e"), 1, extra), new Object(), 1, PEER));
        assertTrue(java.util.Arrays.equals(extra, node.info().extra()));
        Registration.Refused refusal = refused(registry.register(node(NodeName.of("f"), 1, new byte[1021]), new Object(), 1, PEER));
        assertEquals(RefusalReason.EXTRA_TOO_LONG, refusal.reason());
        assertNull(registry.lookup(NodeName.of("f")));
    }

    @Test
    void aRefusalDoesNotConsumeACreationOrTouchTheUnusedList() {
        Object owner = new Object();
        register("foo", owner);
        registry.unregister(NodeName.of("foo"), owner);
        refused(registry.register(node(NodeName.of("foo"), 1, new byte[2000]), new Object(), 1, PEER));
        assertEquals(1, registry.unused().size());
        assertEquals(T0 + 2, register("foo", new Object()).creation());
    }
}
