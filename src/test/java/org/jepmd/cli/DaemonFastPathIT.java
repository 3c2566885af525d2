package org.jepmd.cli;

import org.jepmd.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.jepmd.cli.Exec.jepmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code erl} runs {@code epmd -daemon} at every node start: with a daemon already answering,
 * {@code scripts/jepmd} answers a plain {@code -daemon} line itself, without a JVM, exactly as the
 * JVM would (exit 0, no output); whatever it cannot be sure of goes to the JVM.
 */
class DaemonFastPathIT {
    private int port;
    private String p;
    private RecordingJava java;

    @BeforeEach
    void freePort(@TempDir Path dir) {
        port = FreePorts.next();
        p = Integer.toString(port);
        java = RecordingJava.in(dir.resolve("jdk"));
    }

    @AfterEach
    void killWhatWeStarted() {
        Exec.killDaemons(port);
    }

    private Exec.Result viaRecordingJava(Map<String, String> env, String... args) {
        return jepmd(java.env(env), args);
    }

    @Test
    void aPlainDaemonLineExitsWithoutAJvmWhileADaemonAnswers() {
        assertEquals(new Exec.Result(0, "", ""), jepmd("-port", p, "-daemon"));
        Exec.Result ok = new Exec.Result(0, "", "");
        assertEquals(ok, viaRecordingJava(Map.of(), "-port", p, "-daemon"));
        assertEquals(ok, viaRecordingJava(Map.of(), "-daemon", "-port", p));
        assertEquals(ok, viaRecordingJava(Map.of("ERL_EPMD_PORT", p), "-daemon"));
        assertEquals(ok, viaRecordingJava(Map.of("ERL_EPMD_PORT", " \t+000" + p + "junk"), "-daemon"), "read as atoi() does");
        assertEquals(ok, viaRecordingJava(Map.of(), "-port", "0" + p + ".5", "-daemon"));
        assertEquals(List.of(), java.calls(), "no JVM started");
        assertEquals(new Exec.Result(0, "", ""), jepmd("-port", p, "-started"), "the daemon still serves");
    }

    @Test
    void anyOtherLineGoesToTheJvm() {
        assertEquals(new Exec.Result(0, "", ""), jepmd("-port", p, "-daemon"));
        List<Map.Entry<Map<String, String>, List<String>>> lines = List.of(
                Map.entry(Map.of(), List.of("-port", p, "-daemon", "-d")),
                Map.entry(Map.of(), List.of("-port", p, "-relaxed_command_check", "-daemon")),
                Map.entry(Map.of("ERL_EPMD_ADDRESS", "127.0.0.1"), List.of("-port", p, "-daemon")),
                Map.entry(Map.of("ERL_EPMD_PORT", p), List.of("-daemon", "-daemon")));
        for (int i = 0; i < lines.size(); i++) {
            Exec.Result result = viaRecordingJava(lines.get(i).getKey(), lines.get(i).getValue().toArray(String[]::new));
            assertEquals(new Exec.Result(0, "", ""), result, lines.get(i).toString());
            assertEquals(i + 1, java.calls().stream().filter(call -> call.contains("org.jepmd.Main")).count(),
                    "a JVM for " + lines.get(i));
        }
        Exec.Result usage = viaRecordingJava(Map.of(), "-port", "0", "-daemon");
        assertEquals(new Exec.Result(1, "", Usage.epmdUsage()), usage);
    }

    @Test
    void aListenerThatDoesNotAnswerAsEpmdGoesToTheJvm() throws IOException {
        AtomicReference<Consumer<Socket>> odd = new AtomicReference<>();
        // one listener throughout: the port stays taken between the cases
        try (ServerSocket listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> serve(listener, odd), "odd-listener");
            server.setDaemon(true);
            server.start();
            assertFallsBackWith(odd, socket -> reply(socket, new byte[] {0, 0, 0, 1}));   // another port
            assertFallsBackWith(odd, socket -> reply(socket, new byte[] {0, 0}));         // a short reply
            assertFallsBackWith(odd, socket -> reply(socket, "HTTP/1.1 400 Bad Request\r\n\r\n".getBytes()));
            long started = System.nanoTime();
            assertFallsBackWith(odd, socket -> { });                                      // silence
            assertTrue(System.nanoTime() - started < 30_000_000_000L, "a silent listener holds it a second, not forever");
        }
    }

    /** With {@code behaviour} serving 127.0.0.1:port, {@code -daemon} runs the JVM, which finds the port taken. */
    private void assertFallsBackWith(AtomicReference<Consumer<Socket>> odd, Consumer<Socket> behaviour) {
        odd.set(behaviour);
        long jvmsBefore = java.calls().size();
        Exec.Result result = viaRecordingJava(Map.of(), "-port", p, "-daemon");
        assertEquals(new Exec.Result(0, "", ""), result, "the JVM's answer: the port is taken");
        assertTrue(java.calls().size() > jvmsBefore, "a JVM was started");
    }

    private static void serve(ServerSocket listener, AtomicReference<Consumer<Socket>> odd) {
        while (!listener.isClosed()) {
            try (Socket socket = listener.accept()) {
                socket.setSoTimeout(5000);
                odd.get().accept(socket);
                InputStream in = socket.getInputStream();
                while (in.read() >= 0) {
                    // hold the connection until the client closes it
                }
            } catch (IOException e) {
                // closed, or the client went away
            }
        }
    }

    private static void reply(Socket socket, byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
