package org.jepmd.server;

import org.jepmd.testing.Pause;

import org.jepmd.protocol.NodeName;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.UnusedNode;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.EpmdWire.Conn;
import org.jepmd.testing.Await;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.JepmdOnFreePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.jepmd.testing.EpmdWire.alive2;
import static org.jepmd.testing.EpmdWire.alive2v5;
import static org.jepmd.testing.EpmdWire.concat;
import static org.jepmd.testing.EpmdWire.frame;
import static org.jepmd.testing.EpmdWire.portPlease2;
import static org.jepmd.testing.EpmdWire.u16;
import static org.jepmd.testing.EpmdWire.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour beyond epmd_SUITE, on real loopback sockets: registration connection lifetime, refused
 * duplicates, creation numbers, reply forms, NAMES and DUMP bytes, KILL, STOP, the local-peer gate
 * and the packet deadline (docs/protocol.md).
 */
@Timeout(30)
class EpmdServerBehaviourTest {
    @RegisterExtension
    final JepmdOnFreePort epmd = new JepmdOnFreePort();

    /** Registers with a modern (6/5) ALIVE2 and returns the open registration connection. */
    private Conn register(String name, int port) {
        Conn conn = epmd.send(alive2(name, port));
        byte[] reply = conn.readExactly(6, 3000);
        assertEquals('v', reply[0], "ALIVE2_X_RESP");
        assertEquals(0, reply[1], "registered");
        return conn;
    }

    private static long creationOf(byte[] xResp) {
        return ByteBuffer.wrap(xResp, 2, 4).getInt() & 0xFFFF_FFFFL;
    }

    private RegisteredNode lookup(String name) {
        return epmd.server().registry().lookup(NodeName.of(name));
    }

    private static void await(String what, Await.Condition condition) {
        Await.until(Duration.ofSeconds(5), condition, () -> what);
    }

    private static long epochSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    // ---- registration connections (docs/protocol.md, ALIVE2_REQ) ----

    @Test
    void refusedDuplicateStaysOpenPastThePacketTimeoutAndItsCloseKeepsTheOwner() {
        epmd.start(b -> b.packetTimeout(Duration.ofSeconds(1)));
        Conn owner = register("foo", 1234);
        Conn duplicate = epmd.send(alive2("foo", 999));
        assertArrayEquals(new byte[] {'v', 1, 0, 0, 0, 99}, duplicate.readExactly(6, 3000));
        assertTrue(duplicate.staysOpenFor(2500), "a refused ALIVE2 connection is kept like epmd's, without timeout");
        duplicate.close();
        Pause.millis(300);
        assertEquals(1234, lookup("foo").info().port());
        assertTrue(owner.staysOpenFor(100));
        byte[] port2 = epmd.request(portPlease2("foo"));
        assertEquals('w', port2[0]);
        assertEquals(0, port2[1]);
    }

    @Test
    void aByteOnARefusedDuplicateClosesItAndKeepsTheOwner() {
        epmd.start();
        register("foo", 1234);
        Conn duplicate = epmd.send(alive2v5("foo", 999));
        assertArrayEquals(new byte[] {'y', 1, 0, 99}, duplicate.readExactly(4, 3000));
        duplicate.send(new byte[] {0});
        assertArrayEquals(new byte[0], duplicate.readUntilClose(2000));
        Pause.millis(200);
        assertNotNull(lookup("foo"));
    }

    /**
     * Deliberate difference: epmd calls {@code node_unreg(name)} when the refusal reply cannot be
     * written, which drops the live owner of the name; jepmd only ever unregisters what the failing
     * connection owns.
     */
    @Test
    void aRefusedDuplicateWhoseReplyCannotBeWrittenNeverDropsTheOwner() throws Exception {
        epmd.start(b -> b.delayWrite(Duration.ofSeconds(1)).takeoverGrace(Duration.ZERO));
        Conn owner = register("foo", 1234);
        java.net.Socket duplicate = new java.net.Socket("127.0.0.1", epmd.port());
        duplicate.setSoLinger(true, 0); // close sends RST: the delayed refusal write fails
        duplicate.getOutputStream().write(frame(alive2("foo", 999)));
        Pause.millis(300);
        duplicate.close();
        Pause.millis(1500);
        assertEquals(1234, lookup("foo").info().port());
        assertTrue(owner.staysOpenFor(100));
    }

    @Test
    void registrationIsNeverTimedOut() {
        epmd.start(b -> b.packetTimeout(Duration.ofSeconds(1)));
        Conn node = register("foo", 1);
        assertTrue(node.staysOpenFor(2500));
        assertNotNull(lookup("foo"));
    }

    @Test
    void anyByteOnTheRegistrationConnectionUnregisters() {
        epmd.start();
        Conn node = register("foo", 1);
        node.send(new byte[] {'n'});
        assertArrayEquals(new byte[0], node.readUntilClose(2000));
        await("foo unregistered", () -> lookup("foo") == null);
        UnusedNode unused = epmd.server().registry().unused().get(0);
        assertEquals(NodeName.of("foo"), unused.name());
    }

    @Test
    void halfClosingTheRegistrationConnectionUnregisters() throws IOException {
        epmd.start();
        Conn node = register("foo", 1);
        node.socket().shutdownOutput();
        assertArrayEquals(new byte[0], node.readUntilClose(2000));
        await("foo unregistered", () -> lookup("foo") == null);
    }

    @Test
    void aResetOfTheRegistrationConnectionUnregisters() throws IOException {
        epmd.start();
        Conn node = register("foo", 1);
        node.socket().setSoLinger(true, 0);
        node.close(); // RST: a read error on the daemon's side
        await("foo unregistered", () -> lookup("foo") == null);
    }

    @Test
    void bytesPipelinedAfterTheAlive2PacketUnregisterRightAfterTheReply() {
        epmd.start();
        Conn node = epmd.connect();
        node.send(new byte[] {0, (byte) alive2("foo", 1).length});
        Pause.millis(100); // the length is known before the rest arrives, so the rest is not "more than one packet"
        node.send(concat(alive2("foo", 1), frame(new byte[] {'n'})));
        byte[] reply = node.readUntilClose(3000);
        assertEquals(6, reply.length);
        assertEquals(0, reply[1]);
        await("foo unregistered", () -> lookup("foo") == null);
    }

    @Test
    void trailingBytesAfterTheExtraInsideTheAlive2PacketAreAccepted() {
        epmd.start();
        Conn node = epmd.send(concat(alive2("foo", 77), new byte[] {1, 2, 3}));
        assertEquals(0, node.readExactly(6, 3000)[1]);
        assertTrue(node.staysOpenFor(200));
        assertEquals(77, lookup("foo").info().port());
    }

    @Test
    void anEmptyNameRegistersAndIsListed() {
        epmd.start();
        Conn node = epmd.send(concat(alive2(1, 77, 0, 5, 5, new byte[0], new byte[0]), new byte[] {0}));
        assertArrayEquals(new byte[] {'y', 0}, java.util.Arrays.copyOf(node.readExactly(4, 3000), 2));
        byte[] names = epmd.request(EpmdWire.names());
        assertEquals("name  at port 1\n", new String(names, 4, names.length - 4, StandardCharsets.US_ASCII));
    }

    // ---- creation and reply forms (docs/protocol.md, Creation numbers and What a real node expects) ----

    @Test
    void creationStartsAtTheClockPlusOneAndGrowsByOneOnEachReRegistration() {
        epmd.start();
        long before = epochSeconds();
        Conn first = epmd.connect().send(frame(alive2("foo", 1)));
        long creation = creationOf(first.readExactly(6, 3000));
        long after = epochSeconds();
        assertTrue(creation >= before + 1 && creation <= after + 1, "creation " + creation + " from time " + before);
        for (int i = 1; i <= 3; i++) {
            first.close();
            await("foo unregistered", () -> lookup("foo") == null);
            first = epmd.connect().send(frame(alive2("foo", 1)));
            assertEquals(creation + i, creationOf(first.readExactly(6, 3000)), "re-registration " + i);
        }
    }

    @Test
    void differentNamesInTheSameSecondGetTheSameCreation() {
        epmd.start();
        for (int attempt = 0; attempt < 5; attempt++) {
            long second = epochSeconds();
            register("a" + attempt, 1);
            register("b" + attempt, 1);
            if (epochSeconds() == second) {
                assertEquals(lookup("a" + attempt).creation(), lookup("b" + attempt).creation());
                return;
            }
        }
        throw new AssertionError("could not register two names within one second in 5 attempts");
    }

    @Test
    void theXRespArrivesInOneReadOfSixBytes() throws IOException {
        epmd.start();
        for (int high : new int[] {6, 7, 0xFFFF}) {
            Conn node = epmd.send(alive2(1, 77, 0, high, 5, utf8("n" + high), new byte[0]));
            node.socket().setSoTimeout(3000);
            byte[] buf = new byte[64];
            InputStream in = node.socket().getInputStream();
            int n = in.read(buf);
            assertEquals(6, n, "one read for HighestVersion " + high);
            assertEquals('v', buf[0]);
            assertEquals(lookup("n" + high).creation(), creationOf(buf));
        }
    }

    @Test
    void theRespForHighestVersionFiveOrLessCarriesCreationModThreePlusOne() {
        epmd.start();
        for (int high : new int[] {5, 1, 0}) {
            String name = "n" + high;
            Conn node = epmd.send(alive2(1, 77, 0, high, 0, utf8(name), new byte[0]));
            byte[] reply = node.readExactly(4, 3000);
            assertEquals('y', reply[0]);
            assertEquals(0, reply[1]);
            int sent = ByteBuffer.wrap(reply, 2, 2).getShort();
            assertEquals(lookup(name).creation() % 3 + 1, sent);
            assertTrue(sent >= 1 && sent <= 3);
            assertTrue(node.staysOpenFor(100), "nothing more than the 4 bytes");
        }
    }

    // ---- NAMES, DUMP (docs/protocol.md, NAMES_REQ and DUMP_REQ) ----

    @Test
    void namesListsLiveNodesNewestFirstAfterTheConfiguredPort() {
        int bound = FreePorts.next();
        // -port 70000-style configured port: NAMES reports it, the socket binds it modulo 65536
        epmd.start(b -> b.port(bound + 65536));
        int configured = bound + 65536;
        Conn a = epmd.connect(bound).send(frame(alive2("alpha", 1111)));
        a.readExactly(6, 3000);
        Conn b = epmd.connect(bound).send(frame(alive2("beta", 2222)));
        b.readExactly(6, 3000);
        Conn g = epmd.connect(bound).send(frame(alive2("gamma", 3333)));
        g.readExactly(6, 3000);
        b.close();
        await("beta unregistered", () -> lookup("beta") == null);
        byte[] reply = EpmdWire.request(bound, EpmdWire.names());
        assertArrayEquals(concat(ByteBuffer.allocate(4).putInt(configured).array(),
                utf8("name gamma at port 3333\nname alpha at port 1111\n")), reply);
    }

    @Test
    void namesOfAnEmptyDaemonIsOnlyThePort() {
        epmd.start();
        assertArrayEquals(ByteBuffer.allocate(4).putInt(epmd.port()).array(), epmd.request(EpmdWire.names()));
    }

    @Test
    void dumpShowsActiveNodesNewestFirstThenUnusedOldestFirstEachLineNulTerminated() {
        epmd.start();
        Conn a = register("a", 1);
        register("b", 2);
        Conn c = register("c", 3);
        c.close();
        await("c unregistered", () -> lookup("c") == null);
        a.close();
        await("a unregistered", () -> lookup("a") == null);
        register("d", 4);
        List<UnusedNode> unused = epmd.server().registry().unused();
        assertEquals(List.of("c", "a"), unused.stream().map(u -> u.name().toString()).toList());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(ByteBuffer.allocate(4).putInt(epmd.port()).array());
        expected.writeBytes(utf8("active name     <d> at port 4, fd = " + lookup("d").fd() + "\n\0"));
        expected.writeBytes(utf8("active name     <b> at port 2, fd = " + lookup("b").fd() + "\n\0"));
        expected.writeBytes(utf8("old/unused name <c>, port = 3, fd = " + unused.get(0).fd() + " \n\0"));
        expected.writeBytes(utf8("old/unused name <a>, port = 1, fd = " + unused.get(1).fd() + " \n\0"));
        assertArrayEquals(expected.toByteArray(), epmd.request(new byte[] {'d'}));
        assertTrue(lookup("d").fd() > 2, "a real descriptor number");
    }

    // ---- PORT_PLEASE2 (docs/protocol.md, PORT_PLEASE2_REQ) ----

    @Test
    void port2UnknownNameIsW1ThenClose() {
        epmd.start();
        assertArrayEquals(new byte[] {'w', 1}, epmd.request(portPlease2("nobody")));
    }

    @Test
    void port2FindsOnlyLiveNodesAndDropsTheLookupOf255CodePoints() {
        epmd.start();
        String name = "a".repeat(255);
        register(name, 1);
        assertArrayEquals(new byte[0], epmd.request(portPlease2(name)), "epmd's off-by-one drops 255 code points");
        Conn node = register("a".repeat(254), 2);
        assertEquals(0, epmd.request(portPlease2("a".repeat(254)))[1]);
        node.close();
        await("unregistered", () -> lookup("a".repeat(254)) == null);
        assertArrayEquals(new byte[] {'w', 1}, epmd.request(portPlease2("a".repeat(254))), "unused names are not found");
    }

    @Test
    void port2WithATrailingNulFindsTheNode() {
        epmd.start();
        register("bar", 2345);
        byte[] reply = epmd.request(concat(portPlease2("bar"), new byte[] {0}));
        assertArrayEquals(concat(new byte[] {'w', 0, 0x09, 0x29, 77, 0, 0, 6, 0, 5}, u16(3), utf8("bar"), u16(0)), reply);
    }

    // ---- KILL (docs/protocol.md, KILL_REQ) ----

    @Test
    void killFreesThePortAtOnceSoANewDaemonCanBindItRightAfter() throws Exception {
        epmd.start();
        assertArrayEquals(utf8("OK"), epmd.request(new byte[] {'k'}));
        assertEquals(0, epmd.server().terminated().get(5, TimeUnit.SECONDS));
        try (EpmdServer next = EpmdServer.start(epmd.server().config())) {
            assertArrayEquals(ByteBuffer.allocate(4).putInt(epmd.port()).array(),
                    EpmdWire.request(epmd.port(), EpmdWire.names()));
        }
    }

    @Test
    void killIgnoresUnusedNamesAndExtraPayloadBytes() throws Exception {
        epmd.start();
        register("foo", 1).close();
        await("foo unregistered", () -> lookup("foo") == null);
        assertArrayEquals(utf8("OK"), epmd.request(new byte[] {'k', 'x', 'y'}));
        assertEquals(0, epmd.server().terminated().get(5, TimeUnit.SECONDS));
    }

    @Test
    void relaxedKillWithLiveNodesSaysOkAndDropsTheirConnections() throws Exception {
        epmd.start(b -> b.relaxedCommandCheck(true));
        Conn node = register("foo", 1);
        assertArrayEquals(utf8("OK"), epmd.request(new byte[] {'k'}));
        assertArrayEquals(new byte[0], node.readUntilClose(3000));
        assertEquals(0, epmd.server().terminated().get(5, TimeUnit.SECONDS));
    }

    // ---- STOP (docs/protocol.md, STOP_REQ) ----

    @Test
    void relaxedStopUnregistersTheNodeAndClosesItsConnection() {
        epmd.start(b -> b.relaxedCommandCheck(true));
        Conn node = register("foo", 1);
        assertArrayEquals(utf8("STOPPED"), epmd.request(concat(new byte[] {'s'}, utf8("foo"))));
        assertArrayEquals(new byte[0], node.readUntilClose(3000));
        assertNull(lookup("foo"));
        assertEquals("foo", epmd.server().registry().unused().get(0).name().toString());
    }

    @Test
    void relaxedStopOfAnUnknownNameWritesNoexistThenStopped() {
        epmd.start(b -> b.relaxedCommandCheck(true));
        assertArrayEquals(utf8("NOEXISTSTOPPED"), epmd.request(concat(new byte[] {'s'}, utf8("xxx42"))));
    }

    @Test
    void relaxedStopNameEndsAtTheFirstNul() {
        epmd.start(b -> b.relaxedCommandCheck(true));
        register("foo", 1);
        assertArrayEquals(utf8("STOPPED"), epmd.request(concat(new byte[] {'s'}, utf8("foo"), new byte[] {0}, utf8("junk"))));
        assertNull(lookup("foo"));
    }

    @Test
    void relaxedStopWithoutANameIsDroppedSilently() {
        epmd.start(b -> b.relaxedCommandCheck(true));
        assertArrayEquals(new byte[0], epmd.request(new byte[] {'s'}));
    }

    @Test
    void stopWithoutRelaxedCheckClosesSilentlyAndKeepsTheNode() {
        epmd.start();
        Conn node = register("foo", 1);
        assertArrayEquals(new byte[0], epmd.request(concat(new byte[] {'s'}, utf8("foo"))));
        assertNotNull(lookup("foo"));
        assertTrue(node.staysOpenFor(100));
    }

    // ---- -delay_write (docs/protocol.md, Replies and writes) ----

    /** Reads until close, returning the seconds since {@code start} at which the close came. */
    private static double closedAfter(Conn conn, long start, ByteArrayOutputStream into) {
        into.writeBytes(conn.readUntilClose(10_000));
        return (System.nanoTime() - start) / 1e9;
    }

    @Test
    void delayWriteSleepsBeforeEachWriteAndClosesRightAfterTheLast() {
        epmd.start(b -> b.delayWrite(Duration.ofSeconds(1)).relaxedCommandCheck(true));
        // epmd: NAMES with no node = one write after 1 s, then close; STOP of an unknown name = two
        // writes (NOEXIST at 1 s, STOPPED at 2 s), then close
        long start = System.nanoTime();
        Conn names = epmd.send(new byte[] {'n'});
        ByteArrayOutputStream namesReply = new ByteArrayOutputStream();
        double namesClosed = closedAfter(names, start, namesReply);
        assertEquals(4, namesReply.size());
        assertTrue(namesClosed > 0.9 && namesClosed < 1.9, "NAMES closed after " + namesClosed + " s");
        start = System.nanoTime();
        Conn stop = epmd.send(concat(new byte[] {'s'}, utf8("xx")));
        ByteArrayOutputStream stopReply = new ByteArrayOutputStream();
        double stopClosed = closedAfter(stop, start, stopReply);
        assertArrayEquals(utf8("NOEXISTSTOPPED"), stopReply.toByteArray());
        assertTrue(stopClosed > 1.9 && stopClosed < 2.9, "STOP closed after " + stopClosed + " s");
    }

    // ---- access (docs/protocol.md, Local peers) ----

    @Test
    void nonLocalPeersMayAskNamesAndPortsButNotDumpOrStop() {
        epmd.start(b -> b.relaxedCommandCheck(true).localPeers((remote, local) -> false));
        epmd.server().registry().register(new org.jepmd.protocol.NodeInfo(NodeName.of("foo"), 42, 77, 0, 6, 5,
                new byte[0]), new Object(), 99, new java.net.InetSocketAddress("192.0.2.1", 50000));
        assertArrayEquals(new byte[0], epmd.request(new byte[] {'d'}));
        assertArrayEquals(new byte[0], epmd.request(concat(new byte[] {'s'}, utf8("foo"))));
        assertNotNull(lookup("foo"));
        assertEquals(0, epmd.request(portPlease2("foo"))[1]);
        byte[] names = epmd.request(EpmdWire.names());
        assertEquals("name foo at port 42\n", new String(names, 4, names.length - 4, StandardCharsets.US_ASCII));
    }

    @Test
    void theLocalPeerPolicySeesTheConnectionsAddresses() {
        List<String> seen = new ArrayList<>();
        epmd.start(b -> b.localPeers((remote, local) -> {
            synchronized (seen) {
                seen.add(remote + " " + local);
            }
            return LocalPeerPolicy.EPMD.isLocal(remote, local);
        }));
        register("foo", 1);
        synchronized (seen) {
            assertEquals(1, seen.size());
            assertTrue(seen.get(0).contains("127.0.0.1"), seen.get(0));
        }
    }

    // ---- framing and the packet deadline (docs/protocol.md, Framing and Packet timeout) ----

    @Test
    void unknownTagClosesSilently() {
        epmd.start();
        assertArrayEquals(new byte[0], epmd.request(new byte[] {'Q'}));
        assertArrayEquals(new byte[0], epmd.request(new byte[] {'y', 0, 0, 1}));
    }

    @Test
    void twoPipelinedRequestsInOneWriteCloseSilently() {
        epmd.start();
        Conn conn = epmd.connect().send(concat(frame(new byte[] {'n'}), frame(new byte[] {'n'})));
        assertArrayEquals(new byte[0], conn.readUntilClose(2000));
    }

    @Test
    void theLargestPacketIsServedAndOneMoreIsDropped() {
        epmd.start();
        byte[] names = new byte[3057];
        names[0] = 'n';
        assertEquals(4, epmd.request(names).length);
        byte[] tooBig = new byte[3058];
        tooBig[0] = 'n';
        assertArrayEquals(new byte[0], epmd.request(tooBig));
    }

    @Test
    void thePacketDeadlineCountsFromAcceptEvenWhileTheClientKeepsSending() {
        epmd.start(b -> b.packetTimeout(Duration.ofSeconds(2)));
        Conn slow = epmd.connect();
        slow.send(u16(40)); // a 40-byte request, dribbled a byte every 200 ms: 8 s in all
        long start = System.nanoTime();
        boolean closed = false;
        for (int i = 0; i < 40 && !closed; i++) {
            Pause.millis(200);
            try {
                slow.send(new byte[] {'n'});
            } catch (UncheckedIOException reset) {
                closed = true;
            }
            if (!closed && !slow.staysOpenFor(1)) {
                closed = true;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(closed, "still open after dribbling for " + seconds + " s");
        // an idle timeout (epmd before 2026) would never fire: the client sends every 200 ms for 8 s
        assertTrue(seconds > 1.5 && seconds < 6, "closed after " + seconds + " s, deadline 2 s from accept");
    }

    @Test
    void clientsThatResetAfterPartOfARequestLeaveNoConnectionOpen() throws IOException {
        epmd.start(); // the 60 s packet deadline is far: only the resets may close these
        byte[] request = frame(alive2("ghost", 4711));
        for (int round = 0; round < 40; round++) {
            List<Conn> burst = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int part = 1 + (round * 5 + i) % (request.length - 1);
                burst.add(epmd.connect().send(Arrays.copyOf(request, part)));
            }
            for (Conn client : burst) { // resets that reach the daemon before some accepts (epmd: "error in read")
                client.socket().setSoLinger(true, 0);
                client.close();
            }
        }
        Await.until(Duration.ofSeconds(5), () -> epmd.server().openConnections() == 0,
                () -> "every reset connection closed; open: " + epmd.server().openConnections());
    }

    @Test
    void aTimedOutClientGetsNoBytes() {
        epmd.start(b -> b.packetTimeout(Duration.ofSeconds(1)));
        Conn idle = epmd.connect().send(new byte[] {0, 5, 'z'});
        long start = System.nanoTime();
        assertArrayEquals(new byte[0], idle.readUntilClose(4000));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds > 0.7 && seconds < 4, "closed after " + seconds + " s");
    }
}
