package org.jepmd.systemd;

import org.jepmd.Main;
import org.jepmd.testing.Await;
import org.jepmd.testing.DatagramListener;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.LoggedProcess;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -systemd} end to end (docs/protocol.md, systemd socket activation): {@code systemd-socket-activate} binds
 * the ports and starts the daemon on the first connection, the daemon serves the passed sockets, tells the notify
 * socket it is ready, and on SIGTERM says it is stopping, offers its state to the fd store, exits 0 and says so.
 */
@Timeout(60)
class SocketActivationTest {

    @Test
    void servesTheSocketsSystemdPassesNotifiesReadinessAndStopsCleanlyOnSigterm() throws Exception {
        String activate = Requirements.require("systemd-socket-activate", "install systemd");
        int port = FreePorts.next();
        try (DatagramListener notify = new DatagramListener()) {
            List<String> command = new ArrayList<>(List.of(activate,
                    "-l", "127.0.0.1:" + port, "-l", "[::1]:" + port, "-E", "NOTIFY_SOCKET=" + notify.path()));
            command.addAll(LoggedProcess.javaCommand(Main.class.getName(), "-port", Integer.toString(port), "-systemd"));
            try (LoggedProcess daemon = LoggedProcess.start(command)) {
                // the first connection makes systemd-socket-activate exec the daemon, which answers it
                byte[] first = namesOnceListening("127.0.0.1", port);
                assertArrayEquals(new byte[] {0, 0, (byte) (port >> 8), (byte) port}, first, daemon.stderr());

                String ready = notify.until("READY=1", 10_000).get(0);
                assertEquals("READY=1\nSTATUS=Processing port mapping requests...\nMAINPID=" + daemon.process().pid(),
                        ready);

                assertTrue(nonBlocking(daemon.process().pid(), ListenFds.FIRST_FD),
                        "epoll must not accept on a blocking inherited socket");

                try (EpmdWire.Conn node = EpmdWire.connect("::1", port)) {
                    node.send(EpmdWire.frame(EpmdWire.alive2("activated", 40123)));
                    assertEquals('v', node.readExactly(6, 5000)[0]);
                    String names = new String(EpmdWire.request(port, EpmdWire.names()), StandardCharsets.ISO_8859_1);
                    assertTrue(names.endsWith("name activated at port 40123\n"), names);
                }

                Await.until(Duration.ofSeconds(10), () -> !new String(EpmdWire.request(port, EpmdWire.names()),
                        StandardCharsets.ISO_8859_1).contains("activated"), () -> "the node's close read");
                daemon.process().destroy(); // SIGTERM
                assertEquals("STOPPING=1", notify.until("STOPPING=1", 10_000).get(0));
                // with no registration left, only the state goes to the fd store (FdStoreRestartTest)
                assertEquals(List.of("FDSTORE=1\nFDNAME=jepmd-state", "STATUS=Exited.\nERRNO=0"),
                        notify.until("STATUS=Exited.", 10_000));
                assertEquals(0, daemon.exitStatus(10_000), daemon.stderr());
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
            }
        }
    }

    @Test
    void withoutPassedSocketsItSaysSystemdProvidesNoSocketsAndExits1() throws Exception {
        try (DatagramListener notify = new DatagramListener();
             LoggedProcess daemon = LoggedProcess.start(
                     LoggedProcess.javaCommand(Main.class.getName(), "-systemd"), "NOTIFY_SOCKET=" + notify.path())) {
            assertEquals(1, daemon.exitStatus(20_000));
            assertTrue(daemon.stderr().matches("epmd: .*: systemd provides no sockets\r\n"), daemon.stderr());
            assertEquals(List.of("STATUS=Exited.\nERRNO=1"), notify.until("STATUS=Exited.", 5_000));
        }
    }

    /** Whether {@code fd} of process {@code pid} has O_NONBLOCK (octal 04000 in /proc/PID/fdinfo/FD). */
    private static boolean nonBlocking(long pid, int fd) throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring(6).trim(), 8) & 04000) != 0;
            }
        }
        throw new AssertionError("no flags for fd " + fd + " of " + pid);
    }

    /** A NAMES request once something listens on {@code host:port}, retried for up to 10 s. */
    private static byte[] namesOnceListening(String host, int port) {
        Await.until(Duration.ofSeconds(10), () -> EpmdWire.accepts(host, port),
                () -> "something to listen on " + host + ":" + port);
        try (EpmdWire.Conn conn = EpmdWire.connect(host, port)) {
            conn.send(EpmdWire.frame(EpmdWire.names()));
            return conn.readUntilClose(20_000);
        }
    }
}
