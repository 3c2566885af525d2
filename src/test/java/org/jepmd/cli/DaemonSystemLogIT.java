package org.jepmd.cli;

import org.jepmd.testing.Await;
import org.jepmd.testing.DatagramListener;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A detached daemon ({@code -daemon}) sends its messages to the system log, as epmd does: the same
 * datagrams, side by side. The real epmd writes to {@code /dev/log}, so it runs in a mount
 * namespace whose {@code /dev/log} is this test's socket; jepmd is pointed at the socket with
 * {@code -Djepmd.syslogSocket}.
 */
class DaemonSystemLogIT {
    /** {@code <11>Nov 29 05:04:42 }: priority and glibc's timestamp, which differ only by the clock. */
    private static final String HEADER = "^<11>[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] ";

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDetachedDaemonLogsToTheSystemLogAsEpmdDoes() throws Exception {
        String epmd = Requirements.require("epmd", "install erlang-base");
        Requirements.require("unshare", "install util-linux");
        List<String> fromEpmd;
        try (DatagramListener log = new DatagramListener()) {
            int port = FreePorts.next();
            String inNamespace = "mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 && touch /dev/log"
                    + " && mount --bind " + log.path() + " /dev/log && exec " + epmd + " -daemon -d -port " + port;
            Exec.Result started = Exec.run("unshare", Exec.env(Map.of()), "-m", "bash", "-c", inNamespace);
            assertEquals(0, started.exit(), started.toString());
            fromEpmd = session(log, port, epmd);
        }
        List<String> fromJepmd;
        try (DatagramListener log = new DatagramListener()) {
            int port = FreePorts.next();
            try {
                Exec.Result started = Exec.jepmd(Map.of("JEPMD_OPTS", "-Djepmd.syslogSocket=" + log.path()),
                        "-daemon", "-d", "-port", Integer.toString(port));
                assertEquals(0, started.exit(), started.toString());
                fromJepmd = session(log, port, Exec.JEPMD.toString());
            } finally {
                Exec.killDaemons(port);
            }
        }
        assertTrue(fromEpmd.containsAll(List.of("epmd: epmd: ** got ALIVE2_REQ", "epmd: epmd: ** got NAMES_REQ",
                "epmd: epmd: got KILL_REQ - terminates normal")), "epmd's own datagrams: " + fromEpmd);
        assertEquals(fromEpmd, fromJepmd);
    }

    /** Whether a socket listens on TCP {@code port}, from /proc/net/tcp (state 0A), without touching it. */
    private static boolean listening(int port) throws java.io.IOException {
        String local = String.format(":%04X ", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && (fields[1] + " ").endsWith(local) && fields[3].equals("0A")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Lists and kills the daemon on {@code port}, and returns the datagrams it logged, without their header. */
    private static List<String> session(DatagramListener log, int port, String client) throws Exception {
        List<String> seen = new ArrayList<>(log.until("epmd running - daemon = 1", 15_000));
        Map<String, String> env = Map.of("ERL_EPMD_PORT", Integer.toString(port));
        // epmd logs "daemon = 1" before it binds: wait until it listens (bounded), without connecting,
        // since a probe connection would log a partial packet of its own
        Await.holdsWithin(Duration.ofSeconds(10), () -> listening(port));
        try (EpmdWire.Conn node = EpmdWire.connect(port)) {
            node.send(EpmdWire.frame(EpmdWire.alive2("logged", 7001))).readExactly(6, 5_000);
        }
        EpmdWire.request(port, new byte[] {'?'}); // garbage: closed unanswered, logged
        assertEquals(0, Exec.run(client, Exec.env(env), "-names").exit());
        assertEquals(0, Exec.run(client, Exec.env(env), "-kill").exit());
        seen.addAll(log.until("got KILL_REQ - terminates normal", 15_000));
        List<String> messages = new ArrayList<>();
        for (String datagram : seen) {
            assertTrue(datagram.matches(HEADER + "epmd: .*"), "not a syslog datagram from epmd: " + datagram);
            messages.add(datagram.replaceFirst(HEADER, ""));
        }
        return messages;
    }
}
