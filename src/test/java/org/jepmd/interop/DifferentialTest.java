package org.jepmd.interop;

import org.jepmd.testing.Pause;

import org.jepmd.server.ServerConfig;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.EpmdWire.Conn;
import org.jepmd.testing.Await;
import org.jepmd.testing.RealEpmd;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.jepmd.testing.EpmdWire.alive2;
import static org.jepmd.testing.EpmdWire.concat;
import static org.jepmd.testing.EpmdWire.frame;
import static org.jepmd.testing.EpmdWire.portPlease2;
import static org.jepmd.testing.EpmdWire.u16;
import static org.jepmd.testing.EpmdWire.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same byte sequences sent to the reference {@code epmd} (erlang-base) and to jepmd; what comes
 * back is compared byte for byte. Creation numbers are compared by rule (a new name gets the clock
 * plus one, a re-registration the previous value plus one, a v5 reply 1..3) and DUMP's descriptor
 * numbers are masked. The 2026 changes (deadline from accept, address binding) are not diffed: the
 * Debian binary predates them.
 */
@Timeout(60)
class DifferentialTest {

    /** One scenario, run once against each daemon. */
    @FunctionalInterface
    interface Scenario {
        void run(Session session);
    }

    /** Drives one daemon and writes down what it answers, normalised where the two may differ by design. */
    static final class Session implements AutoCloseable {
        private final int port;
        private final List<String> transcript = new ArrayList<>();
        private final List<Conn> open = new ArrayList<>();
        private final Map<String, Long> creations = new HashMap<>();

        Session(int port) {
            this.port = port;
        }

        Conn connect() {
            Conn conn = EpmdWire.connect(port);
            open.add(conn);
            return conn;
        }

        void note(String line) {
            transcript.add(line);
        }

        /** Sends raw bytes on a new connection and notes everything until the close. */
        void exchange(String label, byte[] raw) {
            Conn conn = connect();
            try {
                conn.send(raw);
            } catch (UncheckedIOException reset) {
                note(label + ": reset while sending");
            }
            note(label + ": " + render(conn.readUntilClose(10_000)));
            conn.close();
        }

        void request(String label, byte[] payload) {
            exchange(label, frame(payload));
        }

        /** Sends an ALIVE2 payload and notes the reply with its creation normalised; returns the open connection. */
        Conn alive(String label, String name, byte[] payload, int replyLength) {
            Conn conn = connect();
            conn.send(frame(payload));
            byte[] reply = readUpTo(conn, replyLength);
            note(label + ": " + renderAlive(name, reply) + (conn.staysOpenFor(150) ? " (open)" : " (closed)"));
            return conn;
        }

        /** The same without watching whether the connection stays open: for long lists of cases. */
        Conn aliveReply(String label, String name, byte[] payload, int replyLength) {
            Conn conn = connect();
            conn.send(frame(payload));
            note(label + ": " + renderAlive(name, readUpTo(conn, replyLength)));
            return conn;
        }

        /** Registers {@code name} (6/5, port 1) and returns its 32-bit creation, leaving the connection open. */
        long creationOf(String name, List<Conn> keep) {
            Conn conn = connect();
            conn.send(frame(alive2(name, 1)));
            byte[] reply = readUpTo(conn, 6);
            keep.add(conn);
            return reply.length == 6 && reply[1] == 0 ? ByteBuffer.wrap(reply, 2, 4).getInt() & 0xFFFF_FFFFL : -1;
        }

        /** Notes NAMES and DUMP replies: the port header is the configured port, which both share by design. */
        void listing(String label, byte payload) {
            listing(label, new byte[] {payload});
        }

        void listing(String label, byte[] payload) {
            Conn conn = connect();
            conn.send(frame(payload));
            byte[] reply = conn.readUntilClose(10_000);
            String text = reply.length < 4 ? render(reply)
                    : "port=" + (ByteBuffer.wrap(reply).getInt() == port) + " "
                    + new String(reply, 4, reply.length - 4, StandardCharsets.ISO_8859_1)
                    .replaceAll("fd = \\d+", "fd = F").replace("\0", "\\0").replace("\n", "\\n");
            note(label + ": " + text);
            conn.close();
        }

        /** Notes whether the daemon still accepts connections. */
        void listening(String label) {
            // after KILL the daemon may need a moment to release its socket: poll until refused
            boolean gone = Await.holdsWithin(Duration.ofSeconds(2), () -> !EpmdWire.accepts("127.0.0.1", port));
            note(label + ": " + (gone ? "gone" : "listening"));
        }

        private static byte[] readUpTo(Conn conn, int n) {
            try {
                conn.socket().setSoTimeout(10_000); // generous: the machine may be loaded
                return conn.socket().getInputStream().readNBytes(n);
            } catch (IOException e) {
                return new byte[0];
            }
        }

        private String renderAlive(String name, byte[] reply) {
            if (reply.length == 6 && reply[0] == 'v' && reply[1] == 0) {
                return "v 0 " + creationRule(name, ByteBuffer.wrap(reply, 2, 4).getInt() & 0xFFFF_FFFFL);
            }
            if (reply.length == 4 && reply[0] == 'y' && reply[1] == 0) {
                int creation = ByteBuffer.wrap(reply, 2, 2).getShort();
                return "y 0 " + (creation >= 1 && creation <= 3 ? "cr in 1..3" : "cr " + creation);
            }
            return render(reply);
        }

        /** A new name: the clock plus one (within a few seconds); a known name: previous plus one. */
        private String creationRule(String name, long creation) {
            Long previous = creations.put(name, creation);
            if (previous != null) {
                return "cr previous+" + (creation - previous);
            }
            long now = System.currentTimeMillis() / 1000;
            return Math.abs(creation - (now + 1)) <= 3 ? "cr time+1" : "cr " + creation + " at time " + now;
        }

        static String render(byte[] bytes) {
            return bytes.length == 0 ? "<nothing>" : HexFormat.ofDelimiter(" ").formatHex(bytes);
        }

        @Override
        public void close() {
            open.forEach(Conn::close);
        }
    }


    /** Runs {@code scenario} against the reference epmd (with {@code epmdArgs}) and jepmd (configured alike). */
    private static void compare(String[] epmdArgs, UnaryOperator<ServerConfig.Builder> jepmdConfig, Scenario scenario) {
        List<String> reference;
        try (RealEpmd real = RealEpmd.start(epmdArgs); Session session = new Session(real.port())) {
            scenario.run(session);
            reference = session.transcript;
        }
        List<String> ours;
        try (RunningJepmd jepmd = RunningJepmd.start(jepmdConfig); Session session = new Session(jepmd.port())) {
            scenario.run(session);
            ours = session.transcript;
        }
        assertEquals(String.join("\n", reference), String.join("\n", ours));
    }

    private static void compare(Scenario scenario) {
        compare(new String[0], b -> b, scenario);
    }

    private static void compareRelaxed(Scenario scenario) {
        compare(new String[] {"-relaxed_command_check"}, b -> b.relaxedCommandCheck(true), scenario);
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static void awaitUnregistered(Session s, String name) {
        // both daemons handle a close asynchronously: poll PORT2 until the name is gone
        Await.holdsWithin(Duration.ofSeconds(3), () -> {
            try (Conn conn = s.connect()) {
                byte[] reply = conn.send(frame(portPlease2(name))).readUntilClose(10_000);
                return reply.length == 2 && reply[1] == 1;
            }
        });
    }

    // ---------------------------------------------------------------- scenarios

    @Test
    void registerV6LookupsNamesAndDump() {
        compare(s -> {
            Conn foo = s.alive("register foo v6", "foo", alive2(2345, 77, 0, 6, 5, utf8("foo"), utf8("EX\0")), 6);
            s.alive("register bar v5", "bar", alive2(4711, 72, 1, 5, 5, utf8("bar"), new byte[0]), 4);
            s.request("port2 hit", portPlease2("foo"));
            s.request("port2 hit v5 node", portPlease2("bar"));
            s.request("port2 miss", portPlease2("nobody"));
            s.request("port2 trailing NUL", concat(portPlease2("foo"), bytes(0)));
            s.request("port2 two trailing NULs", concat(portPlease2("foo"), bytes(0, 0)));
            s.request("port2 NUL inside", portPlease2("fo\0o"));
            s.request("port2 empty", bytes('z'));
            s.request("port2 invalid utf8", bytes('z', 0xC0, 0x80));
            s.listing("names", (byte) 'n');
            s.listing("dump", (byte) 'd');
            foo.close();
            awaitUnregistered(s, "foo");
            s.listing("names after close", (byte) 'n');
            s.listing("dump after close", (byte) 'd');
            Conn again = s.alive("re-register foo", "foo", alive2(2346, 77, 0, 6, 5, utf8("foo"), new byte[0]), 6);
            again.close();
            awaitUnregistered(s, "foo");
            s.alive("re-register foo twice", "foo", alive2(2347, 77, 0, 6, 5, utf8("foo"), new byte[0]), 6);
            s.listing("dump at the end", (byte) 'd');
        });
    }

    @Test
    void duplicatesInBothReplyForms() {
        compare(s -> {
            s.alive("owner", "foo", alive2("foo", 1000), 6);
            Conn v6 = s.alive("duplicate v6", "foo", alive2("foo", 1001), 6);
            s.alive("duplicate v5", "foo", alive2(1002, 77, 0, 5, 5, utf8("foo"), new byte[0]), 4);
            v6.close();
            Pause.millis(200);
            s.request("owner still found", portPlease2("foo"));
        });
    }

    @Test
    void nameLimitsAndThe255CodePointLookup() {
        String cp255 = "\uD83D\uDE00".repeat(255);
        String cp254 = "b".repeat(254);
        compare(s -> {
            s.alive("255 code points, 1020 bytes", "cp255", alive2(1, 77, 0, 6, 5, utf8(cp255), new byte[0]), 6);
            s.request("lookup 255 code points", concat(bytes('z'), utf8(cp255)));
            s.alive("254 code points", "cp254", alive2(2, 77, 0, 6, 5, utf8(cp254), new byte[0]), 6);
            s.request("lookup 254 code points", portPlease2(cp254));
            s.alive("256 code points", "a256", alive2(3, 77, 0, 6, 5, utf8("a".repeat(256)), new byte[0]), 6);
            s.alive("1021 bytes", "long", alive2(3, 77, 0, 5, 5, utf8("a".repeat(1021)), new byte[0]), 4);
            s.alive("invalid utf8 name", "bad", alive2(3, 77, 0, 6, 5, bytes(0xED, 0xA0, 0x80), new byte[0]), 6);
            s.alive("extra 1021", "ex", alive2(3, 77, 0, 6, 5, utf8("ex"), new byte[1021]), 6);
            s.alive("extra 1020", "ex2", alive2(3, 77, 0, 6, 5, utf8("ex2"), new byte[1020]), 6);
            s.request("lookup extra 1020", portPlease2("ex2"));
            s.alive("empty name", "", concat(alive2(7, 77, 0, 5, 5, new byte[0], new byte[0]), bytes(0)), 4);
            s.alive("spaces and @", "a b@c", alive2(8, 77, 0, 6, 5, utf8("a b@c"), new byte[0]), 6);
            s.listing("names", (byte) 'n');
        });
    }

    @Test
    void utf8ValidationOfRegisteredAndLookedUpNames() {
        String[] sequences = {"7F", "01", "C280", "C2A0", "DFBF", "E0A080", "ED9FBF", "EE8080", "EFBFBE", "EFBFBF",
            "EFB790", "F0908080", "F48FBFBF", "F4908080", "F5808080", "F888808080", "FC8480808080", "C0AF", "C1BF",
            "E09FBF", "F08FBFBF", "EDA080", "EDBFBF", "80", "BF", "FE", "FF", "E0A0", "F09080", "C2"};
        compare(s -> {
            for (String hex : sequences) {
                byte[] name = concat(utf8("u"), HexFormat.of().parseHex(hex));
                Conn conn = s.aliveReply("register u+" + hex, "u" + hex, alive2(1, 77, 0, 5, 5, name, new byte[0]), 4);
                s.request("lookup u+" + hex, concat(bytes('z'), name));
                conn.close();
            }
        });
    }

    @Test
    void requestsFollowedByAHalfClose() {
        compare(s -> {
            Conn node = s.connect();
            node.send(frame(alive2("half", 9)));
            shutdownOutput(node);
            byte[] reply = node.readUntilClose(10_000);
            s.note("alive2 then half-close: " + reply.length + " bytes, result " + (reply.length > 1 ? reply[1] : -1));
            awaitUnregistered(s, "half");
            Conn owner = s.alive("owner", "foo", alive2("foo", 1), 6);
            for (byte[] payload : List.of(portPlease2("foo"), portPlease2("none"), new byte[] {'n'}, new byte[] {'q'})) {
                Conn conn = s.connect();
                conn.send(frame(payload));
                shutdownOutput(conn);
                byte[] answer = conn.readUntilClose(10_000);
                if (payload[0] == 'n' && answer.length >= 4) {
                    answer = Arrays.copyOfRange(answer, 4, answer.length); // the port header differs by design
                }
                s.note("half-closed " + (char) payload[0] + ": " + Session.render(answer));
            }
            owner.close();
        });
    }

    @Test
    void bytesAfterARequestSentInTwoPartsMakeTheCloseAReset() {
        compare(s -> {
            Conn owner = s.alive("owner", "foo", alive2("foo", 1), 6);
            for (byte[] payload : List.of(portPlease2("foo"), portPlease2("none"), new byte[] {'Q'})) {
                byte[] request = frame(payload);
                Conn conn = s.connect();
                conn.send(Arrays.copyOf(request, 2)); // the length alone: the daemon waits for the rest
                Pause.millis(500); // read by then: sent together, the whole is closed unanswered (a FIN)
                conn.send(concat(Arrays.copyOfRange(request, 2, request.length), bytes(0xFF, 0xFF)));
                s.note("in two parts, then garbage, " + (char) payload[0] + ": " + readUntilFinOrReset(conn));
            }
            owner.close();
        });
    }

    /** The bytes up to the close, and whether the close was a FIN or a reset. */
    private static String readUntilFinOrReset(Conn conn) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            conn.socket().setSoTimeout(10_000);
            InputStream in = conn.socket().getInputStream();
            for (int b = in.read(); b >= 0; b = in.read()) {
                got.write(b);
            }
            return Session.render(got.toByteArray()) + ", then FIN";
        } catch (SocketException reset) {
            return Session.render(got.toByteArray()) + ", then reset";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void shutdownOutput(Conn conn) {
        try {
            conn.socket().shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void namesAndDumpOfThreeHundredNodes() {
        compare(s -> {
            List<Conn> nodes = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                // one at a time: registrations on different connections have no order of their own
                Conn conn = s.connect();
                conn.send(frame(alive2("node" + i + "_" + "x".repeat(i % 40), 1000 + i)));
                conn.readExactly(6, 10_000);
                nodes.add(conn);
            }
            for (int i = 0; i < 300; i += 7) {
                nodes.get(i).close(); // one at a time, for the same reason
                awaitUnregistered(s, "node" + i + "_" + "x".repeat(i % 40));
            }
            s.listing("names", (byte) 'n');
            s.listing("dump", (byte) 'd');
            nodes.forEach(Conn::close);
        });
    }

    @Test
    void alive2Malformations() {
        compare(s -> {
            s.request("9 bytes", concat(bytes('x'), u16(1000), bytes('M', 0), u16(5), u16(5)));
            s.request("11 bytes", concat(bytes('x'), u16(1000), bytes('M', 0), u16(5), u16(5), u16(0)));
            s.request("13 bytes", alive2(1, 77, 0, 5, 5, new byte[0], new byte[0]));
            s.request("name size error", concat(bytes('x'), u16(1), bytes('M', 0), u16(5), u16(5), u16(9), utf8("foo"), u16(0)));
            s.request("extra size error", concat(bytes('x'), u16(1), bytes('M', 0), u16(5), u16(5), u16(5), utf8("gurka"), u16(3), bytes(1)));
            s.request("NUL inside", alive2(1, 77, 0, 5, 5, utf8("foo\0bar"), new byte[0]));
            s.request("NUL terminated", alive2(1, 77, 0, 5, 5, utf8("foobar\0"), new byte[0]));
            s.alive("trailing bytes after Extra", "trail", concat(alive2("trail", 5), bytes(1, 2, 3)), 6);
            s.request("port2 of it", portPlease2("trail"));
        });
    }

    @Test
    void framingErrors() {
        byte[] oversize = new byte[3060];
        oversize[0] = 0x0B;
        oversize[1] = (byte) 0xF2; // 3058
        oversize[2] = 'n';
        byte[] largest = new byte[3057];
        largest[0] = 'n';
        compare(s -> {
            s.exchange("zero length", new byte[10]);
            s.exchange("length 3058", oversize);
            s.listing("length 3057 NAMES", largest);
            s.exchange("two packets in one write", concat(frame(bytes('n')), frame(bytes('n'))));
            s.exchange("garbage after the packet", concat(frame(bytes('n')), bytes(0xFF)));
            s.request("garbage tag Q", bytes('Q'));
            s.request("obsolete tag a", concat(bytes('a'), utf8("foo")));
            s.request("reply tag y", bytes('y', 0, 0, 1));
            s.request("reply tag w", bytes('w', 0));
            s.listing("names with extra bytes", bytes('n', 1, 2, 3));
        });
    }

    @Test
    void killRefusedWhileNodesLiveThenAccepted() {
        compare(s -> {
            Conn node = s.alive("register", "foo", alive2("foo", 1), 6);
            s.request("kill with a live node", bytes('k'));
            s.listening("after refused kill");
            node.close();
            awaitUnregistered(s, "foo");
            s.request("kill with only an unused name", bytes('k', 'x'));
            s.listening("after kill");
        });
    }

    @Test
    void relaxedKillWithLiveNodes() {
        compareRelaxed(s -> {
            Conn node = s.alive("register", "foo", alive2("foo", 1), 6);
            s.request("kill", bytes('k'));
            s.note("node connection: " + Session.render(node.readUntilClose(10_000)));
            s.listening("after kill");
        });
    }

    @Test
    void stopWithoutRelaxedCheck() {
        compare(s -> {
            s.alive("register", "foo", alive2("foo", 1), 6);
            s.request("stop foo", concat(bytes('s'), utf8("foo")));
            s.request("stop unknown", concat(bytes('s'), utf8("xxx42")));
            s.request("port2 foo", portPlease2("foo"));
        });
    }

    @Test
    void stopWithRelaxedCheck() {
        compareRelaxed(s -> {
            Conn node = s.alive("register", "foo", alive2("foo", 1), 6);
            s.alive("register bar", "bar", alive2("bar", 2), 6);
            s.request("stop foo", concat(bytes('s'), utf8("foo")));
            s.note("foo's connection: " + Session.render(node.readUntilClose(10_000)));
            s.request("stop unknown", concat(bytes('s'), utf8("xxx42")));
            s.request("stop tag only", bytes('s'));
            s.request("stop empty name", bytes('s', 0));
            s.request("stop bar with NUL and junk", concat(bytes('s'), utf8("bar"), bytes(0), utf8("junk")));
            s.listing("dump", (byte) 'd');
            s.alive("re-register foo after stop", "foo", alive2("foo", 3), 6);
        });
    }

    @Test
    void withDebugTheUnusedListHoldsFiveAndANewNameInheritsTheOldestCounter() {
        compare(new String[] {"-d"}, b -> b.debugLevel(1), s -> {
            List<Conn> conns = new ArrayList<>();
            long first = s.creationOf("n1", conns);
            long last = first;
            for (int i = 2; i <= 3; i++) {
                conns.remove(0).close();
                awaitUnregistered(s, "n1");
                last = s.creationOf("n1", conns);
                s.note("n1 registration " + i + ": first+" + (last - first));
            }
            conns.remove(0).close();
            awaitUnregistered(s, "n1");
            for (int i = 2; i <= 6; i++) {
                s.creationOf("n" + i, conns);
                conns.remove(0).close();
                awaitUnregistered(s, "n" + i);
            }
            s.listing("dump with six unused", (byte) 'd');
            long fresh = s.creationOf("fresh", conns);
            s.note("fresh inherits n1's counter unbumped: " + (fresh == last));
            s.listing("dump after recycling", (byte) 'd');
            s.creationOf("fresh2", conns); // five unused left: not more than the limit, nothing recycled
            s.listing("dump at the end", (byte) 'd');
            conns.forEach(Conn::close);
        });
    }

    @Test
    void anyByteOnARegistrationConnectionUnregisters() {
        compare(s -> {
            Conn node = s.alive("register", "foo", alive2("foo", 1), 6);
            node.send(bytes(0));
            s.note("after one byte: " + Session.render(node.readUntilClose(10_000)));
            awaitUnregistered(s, "foo");
            s.listing("names", (byte) 'n');
            Conn refused = s.alive("register foo again", "foo", alive2("foo", 1), 6);
            Conn duplicate = s.alive("duplicate", "foo", alive2("foo", 2), 6);
            duplicate.send(bytes(0));
            s.note("duplicate after one byte: " + Session.render(duplicate.readUntilClose(10_000)));
            Pause.millis(200);
            s.request("owner still found", portPlease2("foo"));
            refused.close();
        });
    }
}
