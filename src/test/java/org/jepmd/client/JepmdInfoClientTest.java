package org.jepmd.client;

import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.RealEpmd;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jepmd -info}: jepmd answers its own JEPMD_INFO_REQ to local peers; the real epmd closes it
 * unanswered ("got garbage "), and so does jepmd for other peers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JepmdInfoClientTest {

    /** What one -info printed and returned. */
    record Run(int exit, String out, String err) {
    }

    private static Run info(int port) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new JepmdInfoClient(port, new PrintStream(out, true), new PrintStream(err, true)).info();
        return new Run(exit, out.toString(StandardCharsets.US_ASCII), err.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void jepmdAnswersWithItsImplementationVersionPidUptimeAndFlags() {
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.arguments(List.of("-port", "4370", "-d")))) {
            Run run = info(jepmd.port());
            assertEquals(0, run.exit());
            assertEquals("", run.err());
            List<String> lines = run.out().lines().toList();
            assertEquals("implementation: jepmd", lines.get(0), run.out());
            assertTrue(lines.get(1).matches("version: \\S.*"), run.out());
            assertEquals("pid: " + ProcessHandle.current().pid(), lines.get(2));
            assertTrue(lines.get(3).matches("uptime: \\d+ s"), run.out());
            assertEquals("port: " + jepmd.port(), lines.get(4));
            assertEquals("flags: -port 4370 -d", lines.get(5));
            assertTrue(lines.get(6).matches("transport: (epoll|nio)"), run.out());
        }
    }

    @Test
    void theRealEpmdClosesTheRequestUnansweredSoItIsNotJepmd() {
        try (RealEpmd epmd = RealEpmd.start("-d")) {
            Run run = info(epmd.port());
            assertEquals(new Run(1, "epmd: the daemon on port " + epmd.port() + " is not jepmd\n", ""), run);
            Await.holdsWithin(Duration.ofSeconds(2), () -> epmd.output().contains("got garbage "));
            assertTrue(epmd.output().contains("got garbage "), "epmd's do_request() took the tag for garbage: "
                    + epmd.output());
            assertTrue(epmd.process().isAlive(), "and carried on");
        }
    }

    @Test
    void nonLocalPeersAreClosedUnansweredAsEpmdWould() {
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.localPeers((remote, local) -> false));
             EpmdWire.Conn conn = EpmdWire.connect(jepmd.port())) {
            conn.send(EpmdWire.frame(new byte[] {'i'}));
            assertTrue(conn.closesSilentlyWithin(5_000), "a non-local peer got an answer");
            assertEquals(1, info(jepmd.port()).exit(), "the client, non-local here too, is told: not jepmd");
        }
    }

    @Test
    void onlyTheBareTagIsJepmdsRequest() {
        try (RunningJepmd jepmd = RunningJepmd.start(); EpmdWire.Conn conn = EpmdWire.connect(jepmd.port())) {
            conn.send(EpmdWire.frame(new byte[] {'i', 'x'}));
            assertTrue(conn.closesSilentlyWithin(5_000), "garbage after the tag is garbage, as for epmd");
        }
    }

    @Test
    void withoutADaemonItCannotConnect() {
        assertEquals(new Run(1, "", "epmd: Cannot connect to local epmd\n"), info(FreePorts.next()));
    }
}
