package org.jepmd.client;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * epmd's interactive client ({@code epmd_cli.c}, docs/protocol.md, Interactive client): words, streams
 * and exit statuses.
 */
class EpmdClientTest {

    /** What one client call printed and returned. */
    record Result(int exit, String out, String err) {
    }

    static Result call(int port, ToIntFunction<EpmdClient> action) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = action.applyAsInt(new EpmdClient(port, new PrintStream(out), new PrintStream(err)));
        return new Result(exit, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    /** Registers {@code name} on a connection that stays open (the node stays alive until closed). */
    static EpmdWire.Conn register(int port, String name, int nodePort) {
        EpmdWire.Conn conn = EpmdWire.connect(port);
        conn.send(EpmdWire.frame(EpmdWire.alive2(name, nodePort)));
        byte[] reply = conn.readExactly(6, 2000);
        assertEquals('v', reply[0]);
        assertEquals(0, reply[1], "registered");
        return conn;
    }

    @Test
    void namesPrintsTheHeaderWithTheDaemonsPortThenItsLines() {
        try (RunningJepmd jepmd = RunningJepmd.start();
             EpmdWire.Conn a = register(jepmd.port(), "alpha", 40001);
             EpmdWire.Conn b = register(jepmd.port(), "beta", 40002)) {
            Result result = call(jepmd.port(), EpmdClient::names);
            assertEquals(0, result.exit());
            assertEquals("epmd: up and running on port " + jepmd.port() + " with data:\n"
                    + "name beta at port 40002\nname alpha at port 40001\n", result.out());
            assertEquals("", result.err());
        }
    }

    @Test
    void namesCopiesNamesAsRawBytes() {
        try (RunningJepmd jepmd = RunningJepmd.start();
             EpmdWire.Conn a = register(jepmd.port(), "n\u00e4me", 40001)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new EpmdClient(jepmd.port(), new PrintStream(out), new PrintStream(OutputStream.nullOutputStream())).names();
            String expected = "epmd: up and running on port " + jepmd.port() + " with data:\nname n\u00e4me at port 40001\n";
            assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), out.toByteArray());
        }
    }

    @Test
    void startedIsSilentAndSaysByExitStatusWhetherADaemonAnswers() {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            assertEquals(new Result(0, "", ""), call(jepmd.port(), EpmdClient::started));
        }
        assertEquals(new Result(1, "", ""), call(FreePorts.next(), EpmdClient::started));
    }

    @Test
    void everyActionWithoutADaemonSaysCannotConnectOnStderrAndExits1() {
        int port = FreePorts.next();
        Result down = new Result(1, "", "epmd: Cannot connect to local epmd\n");
        assertEquals(down, call(port, EpmdClient::names));
        assertEquals(down, call(port, EpmdClient::dump));
        assertEquals(down, call(port, EpmdClient::kill));
        assertEquals(down, call(port, c -> c.stop("x".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void killWithoutNodesKillsTheDaemon() {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            assertEquals(new Result(0, "Killed\n", ""), call(jepmd.port(), EpmdClient::kill));
            assertEquals(0, jepmd.server().terminated().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join());
        }
    }

    @Test
    void killWithLiveNodesIsRefusedUnlessRelaxed() {
        try (RunningJepmd jepmd = RunningJepmd.start();
             EpmdWire.Conn node = register(jepmd.port(), "alive", 40001)) {
            assertEquals(new Result(1, "Killing not allowed - living nodes in database.\n", ""),
                    call(jepmd.port(), EpmdClient::kill));
        }
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.relaxedCommandCheck(true));
             EpmdWire.Conn node = register(jepmd.port(), "alive", 40001)) {
            assertEquals(new Result(0, "Killed\n", ""), call(jepmd.port(), EpmdClient::kill));
        }
    }

    @Test
    void stopAnswersStoppedOrNoexistWhenRelaxed() {
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.relaxedCommandCheck(true));
             EpmdWire.Conn node = register(jepmd.port(), "victim", 40001)) {
            byte[] name = "victim".getBytes(StandardCharsets.US_ASCII);
            assertEquals(new Result(0, "STOPPED\n", ""), call(jepmd.port(), c -> c.stop(name)));
            assertEquals(new Result(0, "NOEXIST\n", ""), call(jepmd.port(), c -> c.stop(name)));
        }
    }

    @Test
    void stopWithoutRelaxedCheckIsClosedSilentlyAndReportedAsAnEmptyAnswer() {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            assertEquals(new Result(1, "epmd: local epmd responded with <>\n", ""),
                    call(jepmd.port(), c -> c.stop("x".getBytes(StandardCharsets.US_ASCII))));
        }
    }

    @Test
    void stopRefusesNamesOver1000BytesWithoutNewlineOrConnecting() {
        byte[] longest = new byte[1000];
        Arrays.fill(longest, (byte) 'a');
        byte[] tooLong = new byte[1001];
        Arrays.fill(tooLong, (byte) 'a');
        int nobody = FreePorts.next();
        assertEquals(new Result(1, "epmd: Name too long!", ""), call(nobody, c -> c.stop(tooLong)));
        assertEquals(new Result(1, "", "epmd: Cannot connect to local epmd\n"), call(nobody, c -> c.stop(longest)));
    }

    @Test
    void stopSendsTheNameWithoutNulAndALengthCountingOneMore() {
        try (FakeDaemon fake = FakeDaemon.answering("STOPPED".getBytes(StandardCharsets.US_ASCII))) {
            assertEquals(new Result(0, "STOPPED\n", ""), call(fake.port(), c -> c.stop(new byte[] {'a', 'b'})));
            assertArrayEquals(new byte[] {0, 3, 's', 'a', 'b'}, fake.request(5));
        }
    }

    @Test
    void dumpCopiesTheReplyRawNulBytesIncluded() {
        byte[] reply = {0, 0, 0x11, 0x11, 'a', 0, 'b', '\n'};
        try (FakeDaemon fake = FakeDaemon.answering(reply)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = new EpmdClient(fake.port(), new PrintStream(out), new PrintStream(OutputStream.nullOutputStream())).dump();
            assertEquals(0, exit);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes("epmd: up and running on port 4369 with data:\n".getBytes(StandardCharsets.US_ASCII));
            expected.writeBytes(new byte[] {'a', 0, 'b', '\n'});
            assertArrayEquals(expected.toByteArray(), out.toByteArray());
            assertArrayEquals(new byte[] {0, 1, 'd'}, fake.request(3));
        }
    }

    @Test
    void namesWithAShortFirstReadSaysNoResponse() {
        try (FakeDaemon fake = FakeDaemon.answering(new byte[] {0, 0})) {
            assertEquals(new Result(1, "epmd: no response from local epmd\n", ""), call(fake.port(), EpmdClient::names));
        }
        try (FakeDaemon fake = FakeDaemon.answering(new byte[] {0, 0})) {
            assertEquals(new Result(1, "", ""), call(fake.port(), EpmdClient::started));
        }
    }

    @Test
    void namesReportsTheSignedPortTheDaemonSends() {
        try (FakeDaemon fake = FakeDaemon.answering(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFB})) {
            assertEquals(new Result(0, "epmd: up and running on port -5 with data:\n", ""), call(fake.port(), EpmdClient::names));
        }
    }

    @Test
    void killTakesAnyOtherTwoBytesAsRefusalAndAShortAnswerAsEmpty() {
        try (FakeDaemon fake = FakeDaemon.answering(new byte[] {'N', 'O'})) {
            assertEquals(new Result(1, "Killing not allowed - living nodes in database.\n", ""), call(fake.port(), EpmdClient::kill));
            assertArrayEquals(new byte[] {0, 1, 'k'}, fake.request(3));
        }
        try (FakeDaemon fake = FakeDaemon.answering(new byte[] {'O'})) {
            assertEquals(new Result(1, "epmd: local epmd responded with <>\n", ""), call(fake.port(), EpmdClient::kill));
        }
    }

    @Test
    void portIsTakenModulo65536AsEpmdsUnsignedShort() {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            assertEquals(0, call(jepmd.port() + 65536, EpmdClient::started).exit());
        }
    }

    /** A one-connection daemon on 127.0.0.1 that records the request and sends fixed bytes, then closes. */
    static final class FakeDaemon implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        private FakeDaemon(ServerSocket server, byte[] answer) {
            this.server = server;
            this.thread = new Thread(() -> serve(answer), "fake-epmd");
            thread.setDaemon(true);
            thread.start();
        }

        static FakeDaemon answering(byte[] answer) {
            try {
                ServerSocket server = new ServerSocket(FreePorts.next(), 1, InetAddress.getByName("127.0.0.1"));
                return new FakeDaemon(server, answer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void serve(byte[] answer) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(5000);
                InputStream in = socket.getInputStream();
                byte[] header = in.readNBytes(2);
                int length = ((header[0] & 0xFF) << 8) | (header[1] & 0xFF);
                synchronized (received) {
                    received.writeBytes(header);
                    received.writeBytes(in.readNBytes(length));
                }
                socket.getOutputStream().write(answer);
                socket.getOutputStream().flush();
            } catch (IOException ignored) {
                // the test sees what the client printed
            }
        }

        int port() {
            return server.getLocalPort();
        }

        byte[] request(int expectedLength) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (received) {
                assertTrue(received.size() >= expectedLength, "request seen: " + received.size() + " bytes");
                return received.toByteArray();
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
