package org.jepmd.server;

import org.jepmd.testing.Pause;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.EpmdWire.Conn;
import org.jepmd.testing.Await;
import org.jepmd.testing.JepmdOnFreePort;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static org.jepmd.testing.EpmdWire.alive2;
import static org.jepmd.testing.EpmdWire.concat;
import static org.jepmd.testing.EpmdWire.frame;
import static org.jepmd.testing.EpmdWire.u16;
import static org.jepmd.testing.EpmdWire.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of OTP's {@code erts/epmd/test/epmd_SUITE.erl} that talks TCP, under the same names,
 * against an in-process jepmd started as the suite starts epmd:
 * {@code -packet_timeout 1} plus the case's own flags. The suite's fixed pauses that only wait for
 * the daemon to notice a close are replaced by bounded polls of the same condition.
 */
@Timeout(60)
class EpmdSuiteTest {
    /** The suite's {@code ?DUMMY_PORT}. */
    private static final int DUMMY_PORT = 1000;
    /** The suite's {@code ?REG_REPEAT_LIM}. */
    private static final int REG_REPEAT_LIM = 1000;

    @RegisterExtension
    final JepmdOnFreePort epmd = new JepmdOnFreePort();

    /** {@code epmdrun(Args)}: the daemon with {@code -packet_timeout 1} and the case's flags. */
    private void epmdrun(UnaryOperator<ServerConfig.Builder> args) {
        epmd.start(b -> args.apply(b.packetTimeout(Duration.ofSeconds(1))));
    }

    private void epmdrun() {
        epmdrun(b -> b);
    }

    /** {@code register_node_v2/7}: the registration connection if the reply starts {@code y,0}, else null. */
    private Conn registerNode(int port, int nodeType, int protocol, int high, int low, byte[] name, byte[] extra) {
        Conn conn = epmd.connect();
        conn.send(frame(alive2(port, nodeType, protocol, high, low, name, extra)));
        byte[] reply = readUpTo(conn, 4);
        if (reply.length == 4 && reply[0] == 'y' && reply[1] == 0) {
            return conn;
        }
        conn.close();
        return null;
    }

    /** {@code register_node(Name, Port)}: type M, protocol 0, versions 5/5, no Extra. */
    private Conn registerNode(String name, int port) {
        return registerNode(port, 'M', 0, 5, 5, utf8(name), new byte[0]);
    }

    private Conn registerNode(String name) {
        return registerNode(name, DUMMY_PORT);
    }

    /** Reads up to {@code n} bytes, fewer if the daemon closes first (the suite's {@code recv/2}). */
    private static byte[] readUpTo(Conn conn, int n) {
        try {
            conn.socket().setSoTimeout(5000);
            return conn.socket().getInputStream().readNBytes(n);
        } catch (SocketException reset) {
            return new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code port_please_v2/1}: the parsed PORT2_RESP, or null. */
    private Port2 portPlease2(byte[] name) {
        Conn conn = epmd.connect();
        conn.send(frame(concat(new byte[] {'z'}, name)));
        return Port2.parse(conn.readUntilClose(5000));
    }

    /** A parsed PORT2_RESP ({@code parse_port2_resp/1}). */
    record Port2(int port, int nodeType, int protocol, int high, int low, byte[] name, byte[] extra) {
        static Port2 parse(byte[] reply) {
            ByteBuffer in = ByteBuffer.wrap(reply);
            if (reply.length < 14 || in.get() != 'w' || in.get() != 0) {
                return null;
            }
            int port = in.getShort() & 0xFFFF;
            int type = in.get() & 0xFF;
            int protocol = in.get() & 0xFF;
            int high = in.getShort() & 0xFFFF;
            int low = in.getShort() & 0xFFFF;
            byte[] name = new byte[in.getShort() & 0xFFFF];
            in.get(name);
            byte[] extra = new byte[in.getShort() & 0xFFFF];
            in.get(extra);
            if (in.hasRemaining()) {
                return null; // the suite's binary match needs the reply to end exactly there
            }
            return new Port2(port, type, protocol, high, low, name, extra);
        }
    }

    /** Closes a registration connection (the suite's "% Unregister"). */
    private void unregister(Conn registration) {
        registration.close();
    }

    /** Polls until the registry holds {@code count} nodes: the suite sleeps a second for this. */
    private void awaitRegistered(int count) {
        Await.value(Duration.ofSeconds(5), () -> epmd.server().registry().size(), size -> size == count,
                () -> "the registry to hold " + count + " nodes");
    }


    private static String codePoints(int first, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.appendCodePoint(first + i);
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- registration

    @Test
    void register_name() {
        epmdrun();
        Conn sock = registerNode("foobar");
        assertNotNull(sock);
        unregister(sock);
        awaitRegistered(0);
    }

    @Test
    void register_name_ipv6() throws IOException {
        epmdrun();
        boolean listensOnV6 = epmd.server().localAddresses().stream()
                .anyMatch(a -> a.getAddress() instanceof java.net.Inet6Address);
        Assumptions.assumeTrue(listensOnV6, "no IPv6 loopback (::1) on this host");
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getByName("::1"), epmd.port()), 2000);
        try (socket) {
            socket.getOutputStream().write(frame(alive2(DUMMY_PORT, 'M', 0, 5, 5, utf8("foobar"), new byte[0])));
            socket.setSoTimeout(5000);
            byte[] reply = socket.getInputStream().readNBytes(4);
            assertEquals('y', reply[0]);
            assertEquals(0, reply[1]);
        }
        awaitRegistered(0);
    }

    @Test
    void register_names_1() {
        epmdrun();
        Conn sock1 = registerNode("foobar");
        Conn sock2 = registerNode("foozap");
        assertNotNull(sock1);
        assertNotNull(sock2);
        unregister(sock1);
        unregister(sock2);
        awaitRegistered(0);
    }

    @Test
    void register_names_2() {
        epmdrun();
        Conn sock1 = registerNode("foobar");
        Conn sock2 = registerNode("foozap");
        assertNotNull(sock1);
        assertNotNull(sock2);
        unregister(sock2);
        unregister(sock1);
        awaitRegistered(0);
    }

    @Test
    void register_duplicate_name() {
        epmdrun();
        Conn sock = registerNode("foobar");
        assertNotNull(sock);
        assertNull(registerNode("foobar"));
        unregister(sock);
    }

    @Test
    void unicode_name() {
        epmdrun();
        String name = new String(Character.toChars(0x1F608));
        Conn sock = registerNode(4711, 72, 0, 5, 5, utf8(name), new byte[0]);
        assertNotNull(sock);
        Port2 info = portPlease2(utf8(name));
        assertNotNull(info);
        assertEquals(name, new String(info.name(), StandardCharsets.UTF_8));
        unregister(sock);
    }

    @Test
    void long_unicode_name() {
        epmdrun();
        String name = codePoints(0x1F600, 201);
        assertEquals(804, utf8(name).length);
        Conn sock = registerNode(4711, 72, 0, 5, 5, utf8(name), new byte[0]);
        assertNotNull(sock);
        Port2 info = portPlease2(utf8(name));
        assertNotNull(info);
        assertEquals(name, new String(info.name(), StandardCharsets.UTF_8));
        unregister(sock);
    }

    /** {@code port_request/1}: register {@code foo} on 1042, send {@code M} in pieces, expect port 1042. */
    private void portRequest(List<byte[]> pieces, Duration pause) {
        Conn rsock = registerNode("foo", 1042);
        assertNotNull(rsock);
        Conn sock = epmd.connect();
        for (int i = 0; i < pieces.size(); i++) {
            if (i > 0) {
                Pause.millis(pause.toMillis());
            }
            sock.send(pieces.get(i));
        }
        Port2 rec = Port2.parse(sock.readUntilClose(5000));
        unregister(rsock);
        assertNotNull(rec);
        assertEquals(1042, rec.port());
    }

    @Test
    void get_port_nr() {
        epmdrun();
        portRequest(List.of(frame(concat(new byte[] {'z'}, utf8("foo")))), Duration.ZERO);
    }

    @Test
    void slow_get_port_nr() {
        // since the 2026 change (deadline from accept) the suite gives this case -packet_timeout 10
        epmdrun(b -> b.packetTimeout(Duration.ofSeconds(10)));
        portRequest(List.of(new byte[] {0, 4, 'z'}, new byte[] {'f'}, new byte[] {'o'}, new byte[] {'o'}),
                Duration.ofSeconds(1));
    }

    @Test
    void unregister_others_name_1() {
        epmdrun(b -> b.relaxedCommandCheck(true));
        Conn rsock = registerNode("foo");
        assertNotNull(rsock);
        Conn sock = epmd.connect();
        sock.send(frame(concat(new byte[] {'s'}, utf8("foo"))));
        assertArrayEquals(utf8("STOPPED"), sock.readExactly(7, 5000));
        unregister(rsock);
    }

    @Test
    void unregister_others_name_2() {
        epmdrun(b -> b.relaxedCommandCheck(true));
        Conn sock = epmd.connect();
        sock.send(frame(concat(new byte[] {'s'}, utf8("xxx42"))));
        assertArrayEquals(utf8("NOEXIST"), sock.readExactly(7, 5000));
    }

    /**
     * {@code register_many/3}: registers prefix1..prefixN and keeps the registrations up to the first
     * failure. The requests are sent on all connections first and the replies read afterwards, which
     * counts the same as the suite's one-by-one loop but keeps 11,000 registrations fast on a busy machine.
     */
    private List<Conn> registerMany(int n, String prefix) {
        List<Conn> sent = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Conn conn = epmd.connect();
            conn.send(frame(alive2(DUMMY_PORT + i, 'M', 0, 5, 5, utf8(prefix + i), new byte[0])));
            sent.add(conn);
        }
        List<Conn> registered = new ArrayList<>();
        boolean failed = false;
        for (Conn conn : sent) {
            byte[] reply = failed ? new byte[0] : readUpTo(conn, 4);
            if (reply.length == 4 && reply[0] == 'y' && reply[1] == 0) {
                registered.add(conn);
            } else {
                failed = true; // the suite stops at the first failure
                conn.close();
            }
        }
        return registered;
    }

    private void unregisterMany(List<Conn> conns) {
        conns.forEach(this::unregister);
    }

    @Test
    @Timeout(120)
    void register_overflow() {
        epmdrun();
        List<Conn> conn = registerMany(REG_REPEAT_LIM, "foo");
        int count = conn.size();
        assertTrue(count > 0);
        unregisterMany(conn);
        awaitRegistered(0);
        for (int round = 0; round < 10; round++) {
            List<Conn> again = registerMany(REG_REPEAT_LIM, "foo");
            assertEquals(count, again.size(), "round " + round);
            if (round % 2 == 1) {
                Collections.reverse(again); // rregister_repeat
            }
            unregisterMany(again);
            awaitRegistered(0);
        }
    }

    @Test
    void name_with_null_inside() {
        epmdrun();
        assertNull(registerNode("foo\0bar"));
    }

    @Test
    void name_null_terminated() {
        epmdrun();
        assertNull(registerNode("foobar\0"));
    }

    /** {@code do_get_names/1} as R3A's erl_epmd read it: port check, then {@code name N at port P} lines. */
    private TreeMap<String, Integer> doGetNames(int expectedPort) {
        Conn sock = epmd.connect();
        sock.send(frame(EpmdWire.names()));
        byte[] reply = sock.readUntilClose(10_000);
        assertTrue(reply.length >= 4);
        assertEquals(expectedPort, ByteBuffer.wrap(reply).getInt(), "NAMES starts with the daemon's port");
        TreeMap<String, Integer> names = new TreeMap<>();
        String text = new String(reply, 4, reply.length - 4, StandardCharsets.ISO_8859_1);
        for (String line : text.split("\n")) {
            if (line.startsWith("name ") && line.indexOf(' ', 5) > 0) {
                int space = line.indexOf(' ', 5);
                String rest = line.substring(space + 1);
                if (rest.startsWith("at port ")) {
                    names.put(line.substring(5, space), Integer.parseInt(rest.substring(8)));
                }
            }
        }
        return names;
    }

    @Test
    void stupid_names_req() {
        epmdrun();
        List<Conn> conn = registerMany(REG_REPEAT_LIM, "foo");
        assertEquals(REG_REPEAT_LIM, conn.size());
        unregisterMany(List.of(conn.get(0)));
        awaitRegistered(REG_REPEAT_LIM - 1);
        TreeMap<String, Integer> expected = new TreeMap<>();
        for (int i = 2; i <= REG_REPEAT_LIM; i++) {
            expected.put("foo" + i, DUMMY_PORT + i);
        }
        assertEquals(expected, doGetNames(epmd.port()));
        unregisterMany(conn.subList(1, conn.size()));
    }

    // ---------------------------------------------------------------- framing and timeouts

    @Test
    void no_data() {
        epmdrun();
        Conn sock = epmd.connect();
        assertTrue(sock.closesSilentlyWithin(5000));
    }

    @Test
    void one_byte() {
        epmdrun();
        Conn sock = epmd.connect();
        sock.send(new byte[] {0});
        assertTrue(sock.closesSilentlyWithin(5000));
    }

    @Test
    void two_bytes() {
        epmdrun();
        Conn sock = epmd.connect();
        sock.send(u16(3));
        assertTrue(sock.closesSilentlyWithin(5000));
    }

    @Test
    void partial_packet() {
        epmdrun();
        Conn sock = epmd.connect();
        sock.send(concat(u16(100), utf8("only a few bytes")));
        assertTrue(sock.closesSilentlyWithin(5000));
    }

    @Test
    void zero_length() {
        epmdrun();
        Conn sock = epmd.connect();
        sock.send(new byte[10]);
        assertTrue(sock.closesSilentlyWithin(1000));
    }

    @Test
    void too_large() {
        epmdrun();
        Conn sock = epmd.connect();
        byte[] m = new byte[63000];
        Arrays.fill(m, (byte) 'z');
        try {
            sock.send(concat(u16(m.length), m));
        } catch (UncheckedIOException abortedWhileSending) {
            return; // the suite accepts econnaborted: the daemon closed before everything was delivered
        }
        assertTrue(sock.closesSilentlyWithin(1000));
    }

    @Test
    void alive_req_too_small_1() {
        epmdrun();
        Conn sock = epmd.connect();
        sock.send(frame(concat(new byte[] {'x'}, u16(DUMMY_PORT), new byte[] {'M', 0}, u16(5), u16(5), u16(0))));
        assertTrue(sock.closesSilentlyWithin(1000));
    }

    @Test
    void alive_req_too_small_2() {
        epmdrun();
        Conn sock = epmd.connect();
        sock.send(frame(concat(new byte[] {'x'}, u16(DUMMY_PORT), new byte[] {'M', 0}, u16(5), u16(5))));
        assertTrue(sock.closesSilentlyWithin(1000));
    }

    @Test
    void alive_req_too_large() {
        epmdrun();
        Conn sock = epmd.connect();
        byte[] name = new byte[600];
        Arrays.fill(name, (byte) 'a');
        sock.send(frame(alive2(DUMMY_PORT, 'M', 0, 5, 5, name, new byte[0])));
        assertArrayEquals(new byte[] {'y', 1}, sock.readExactly(2, 2000));
    }

    @Test
    void returns_valid_empty_extra() {
        epmdrun();
        Conn sock = registerNode(4711, 72, 0, 5, 5, utf8("foo"), new byte[0]);
        assertNotNull(sock);
        Port2 info = portPlease2(utf8("foo"));
        assertNotNull(info);
        assertArrayEquals(new byte[0], info.extra());
        unregister(sock);
    }

    @Test
    void returns_valid_populated_extra_with_nulls() {
        epmdrun();
        byte[] extra = {'A', 'B', 'C', 0, 0};
        Conn sock = registerNode(4711, 72, 0, 5, 5, utf8("foo"), extra);
        assertNotNull(sock);
        Port2 info = portPlease2(utf8("foo"));
        assertNotNull(info);
        assertArrayEquals(extra, info.extra());
        unregister(sock);
    }

    // ---------------------------------------------------------------- buffer_overrun group

    /** A raw connection without the bookkeeping of {@link JepmdOnFreePort#connect()}: thousands are made. */
    private Socket rawConnect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", epmd.port()), 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** Reads up to {@code n} bytes; a reset counts as a close, as Erlang's {@code recv} reports it. */
    private static byte[] recv(Socket socket, int n) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            return in.readNBytes(n);
        } catch (SocketException reset) {
            return new byte[0];
        }
    }

    private static void sendIgnoringReset(Socket socket, byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
        } catch (IOException e) {
            // gen_tcp:send's result is not checked by the suite: the daemon may close first
        }
    }

    /** {@code hostile2/1}: N Extra bytes of 0xFF; true if closed or answered {@code y,1}. */
    private boolean hostile2(int n) throws IOException {
        try (Socket socket = rawConnect()) {
            sendIgnoringReset(socket, hostile2Request(n));
            byte[] z = recv(socket, 2);
            return z.length == 0 || Arrays.equals(z, new byte[] {'y', 1});
        }
    }

    /**
     * Runs {@code attempt} for every N in [from, to] in batches of sockets that are all sent to before
     * any is read, as a faster equivalent of the suite's sequential list comprehension.
     */
    private void allTrue(int from, int to, HostileRequest request, HostileCheck check) throws IOException {
        final int batch = 200;
        for (int start = from; start <= to; start += batch) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int n = start; n < Math.min(start + batch, to + 1); n++) {
                    Socket socket = rawConnect();
                    sockets.add(socket);
                    sendIgnoringReset(socket, request.bytes(n));
                }
                for (int i = 0; i < sockets.size(); i++) {
                    assertTrue(check.ok(sockets.get(i)), "Elen " + (start + i));
                }
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    @FunctionalInterface
    private interface HostileRequest {
        byte[] bytes(int n);
    }

    @FunctionalInterface
    private interface HostileCheck {
        boolean ok(Socket socket) throws IOException;
    }

    private static byte[] hostileRequest(int n) {
        return frame(concat(new byte[] {'x'}, u16(4747), new byte[] {'M', 0}, u16(5), u16(5),
                u16(5), utf8("gurka"), u16(n)));
    }

    private static byte[] hostile2Request(int n) {
        byte[] extra = new byte[n];
        Arrays.fill(extra, (byte) 0xFF);
        byte[] payload = alive2(4747, 'M', 0, 5, 5, utf8("gurka"), extra);
        return concat(u16(payload.length), payload);
    }

    @Test
    @Timeout(120)
    void buffer_overrun_1() throws IOException {
        epmdrun();
        // hostile/1: closed without a reply for every announced Extra length 1..10000
        allTrue(1, 10_000, EpmdSuiteTest::hostileRequest, socket -> recv(socket, 1).length == 0);
        assertTrue(epmd.server().registry().isEmpty());
    }

    @Test
    @Timeout(120)
    void buffer_overrun_2() throws IOException {
        epmdrun();
        // 255*4 = 1020 Extra bytes are allowed: registered (y,0), so hostile2 says false
        assertTrue(!hostile2(255 * 4), "Elen 1020 registers");
        // hostile2/1: every longer Extra is refused (y,1) or, once the packet is too large, closed
        allTrue(255 * 4 + 1, 10_000, EpmdSuiteTest::hostile2Request, socket -> {
            byte[] z = recv(socket, 2);
            return z.length == 0 || Arrays.equals(z, new byte[] {'y', 1});
        });
    }

    // ---------------------------------------------------------------- access and KILL

    @Test
    void no_nonlocal_register() {
        // the suite tunnels through ssh; here the daemon is told that no peer is local
        epmdrun(b -> b.localPeers((remote, local) -> false));
        Conn sock = epmd.connect();
        sock.send(frame(alive2(4747, 'M', 0, 5, 5, utf8("gurka_"), new byte[0])));
        assertTrue(sock.closesSilentlyWithin(2000));
        assertTrue(epmd.server().registry().isEmpty());
    }

    @Test
    void no_nonlocal_kill() {
        epmdrun(b -> b.localPeers((remote, local) -> false));
        Conn sock = epmd.connect();
        sock.send(frame(new byte[] {'k'}));
        assertTrue(sock.closesSilentlyWithin(2000));
        Pause.millis(200);
        assertTrue(!epmd.server().terminated().isDone(), "the daemon is still running");
        epmd.connect().close(); // and still accepts connections
    }

    @Test
    void no_live_killing() {
        epmdrun();
        Conn rsock = registerNode("foo");
        assertNotNull(rsock);
        Conn sock = epmd.connect();
        sock.send(frame(new byte[] {'k'}));
        assertArrayEquals(utf8("NO"), sock.readExactly(2, 2000));
        sock.close();
        Conn sock2 = epmd.connect();
        sock2.send(frame(concat(new byte[] {'s'}, utf8("foo"))));
        assertTrue(sock2.closesSilentlyWithin(2000));
        sock2.close();
        unregister(rsock);
        awaitRegistered(0);
        Conn sock3 = epmd.connect();
        sock3.send(frame(new byte[] {'k'}));
        assertArrayEquals(utf8("OK"), sock3.readExactly(2, 2000));
        sock3.close();
    }

    @Test
    void socket_reset_before_alive2_reply_is_written() throws IOException {
        epmdrun(b -> b.delayWrite(Duration.ofSeconds(1)).relaxedCommandCheck(true));
        Socket sock = rawConnect();
        sock.setSoLinger(true, 0); // close/1 then sends RST
        sock.getOutputStream().write(frame(alive2(4711, 77, 0, 5, 5, utf8("test"), new byte[0])));
        Pause.millis(500);
        sock.close();
        Pause.millis(500 + 100);
        Pause.millis(1000);
        // NAMES itself is delayed by -delay_write: header and each line
        assertEquals(new TreeMap<String, Integer>(), doGetNames(epmd.port()));
    }
}
