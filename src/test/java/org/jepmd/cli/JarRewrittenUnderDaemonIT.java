package org.jepmd.cli;

import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.LoggedProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon whose jar is rewritten in place while it runs (as a rebuild of {@code target/jepmd.jar}
 * does to a daemon started from a source checkout) can no longer load the classes its stop needs.
 * SIGTERM and {@code -kill} must still end it: before, both were answered and the daemon ran on,
 * and only SIGKILL ended it. (Whether a KILL_REQ can still be answered at all depends on which
 * classes the daemon happened to load before; one that is not answered is followed by SIGTERM.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JarRewrittenUnderDaemonIT {
    /** The watchdog's limit and the JVM's exit, with room for a loaded machine. */
    private static final long EXIT_BOUND_SECONDS = 30;

    @TempDir
    Path tmp;
    private final int port = FreePorts.next();

    @Test
    void sigtermEndsADaemonWhoseJarWasRewrittenInPlace() throws Exception {
        try (LoggedProcess daemon = daemonOnACopyOfTheJar(() -> { })) {
            daemon.process().destroy(); // SIGTERM
            assertTrue(daemon.awaitExit(EXIT_BOUND_SECONDS), "still running " + EXIT_BOUND_SECONDS + " s after SIGTERM\n"
                    + daemon.output());
        }
    }

    @Test
    void killReqEndsADaemonWhoseJarWasRewrittenInPlace() throws Exception {
        try (LoggedProcess daemon = daemonOnACopyOfTheJar(this::refusedKill)) {
            String reply;
            try {
                reply = new String(EpmdWire.request(port, new byte[] {'k'}), java.nio.charset.StandardCharsets.ISO_8859_1);
            } catch (AssertionError neitherAnsweredNorClosed) {
                reply = "";
            }
            if (reply.isEmpty()) {
                // whether KILL_REQ can still be answered depends on which classes the daemon happened to
                // load before its jar changed; one it cannot answer must still stop on SIGTERM
                daemon.process().destroy();
            } else {
                assertEquals("OK", reply, "KILL_RESP");
            }
            assertTrue(daemon.awaitExit(EXIT_BOUND_SECONDS), "still running " + EXIT_BOUND_SECONDS + " s after KILL_REQ ("
                    + (reply.isEmpty() ? "unanswered, then SIGTERM" : "answered OK") + ")\n" + daemon.output());
        }
    }

    /**
     * KILL_REQ's classes loaded before the jar is rewritten, as a daemon that has served a while has
     * them: a KILL_REQ refused while a node is registered, then the node's close.
     */
    private void refusedKill() {
        try (EpmdWire.Conn node = EpmdWire.connect(port)) {
            node.send(EpmdWire.frame(EpmdWire.alive2("warm", 40001)));
            node.readExactly(6, 5000);
            byte[] refused = EpmdWire.request(port, new byte[] {'k'});
            assertEquals("NO", new String(refused, java.nio.charset.StandardCharsets.ISO_8859_1), "KILL_RESP with a node");
        }
        Await.until(Duration.ofSeconds(10), () -> EpmdWire.request(port, EpmdWire.names()).length == 4, () -> "warm unregistered");
    }

    /**
     * A daemon run from a copy of the jar, serving; the copy then rewritten in place (same inode)
     * with the jar built before shading, which holds none of Netty's or Logback's classes.
     */
    private LoggedProcess daemonOnACopyOfTheJar(Runnable before) throws Exception {
        Path jar = tmp.resolve("jepmd.jar");
        Files.copy(Path.of("target", "jepmd.jar"), jar);
        LoggedProcess daemon = LoggedProcess.start(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-cp", jar.toString(), "org.jepmd.Main", "-port", Integer.toString(port)));
        Await.until(Duration.ofSeconds(60), () -> EpmdWire.accepts("127.0.0.1", port), daemon::output);
        // NAMES (answered at accept) and DUMP (through a channel): their classes are loaded before
        byte[] names = EpmdWire.request(port, EpmdWire.names());
        byte[] dump = EpmdWire.request(port, new byte[] {'d'});
        assertTrue(names.length >= 4 && dump.length >= 4, "NAMES and DUMP before the jar is rewritten");
        before.run();
        try (OutputStream out = Files.newOutputStream(jar, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(Files.readAllBytes(Path.of("target", "original-jepmd.jar")));
        }
        return daemon;
    }
}
