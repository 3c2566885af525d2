package org.jepmd.systemd;

import org.jepmd.testing.Await;
import org.jepmd.testing.DatagramListener;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.JepmdProcess;
import org.jepmd.testing.LoggedProcess;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/jepmd -systemd} as jepmd.service runs it: the real launcher and packaged jar under
 * {@code systemd-socket-activate}, with a notify socket.
 */
@Timeout(90)
class SystemdLauncherIT {

    @Test
    void theLauncherServesActivatedSocketsAndReportsReadyAndExited() throws Exception {
        String activate = Requirements.require("systemd-socket-activate", "install systemd");
        String launcher = Path.of("scripts", "jepmd").toAbsolutePath().toString();
        int port = FreePorts.next();
        try (DatagramListener notify = new DatagramListener();
             LoggedProcess daemon = LoggedProcess.start(List.of(activate, "-l", "127.0.0.1:" + port,
                     "-E", "NOTIFY_SOCKET=" + notify.path(), "-E", "JEPMD_CDS=off",
                     launcher, "-port", Integer.toString(port), "-systemd"))) {
            awaitListening(port);
            try (EpmdWire.Conn node = EpmdWire.connect(port)) { // starts the service
                node.send(EpmdWire.frame(EpmdWire.alive2("unit", 40200)));
                assertEquals(0, node.readExactly(6, 30_000)[1], daemon.stderr());
                assertTrue(notify.until("READY=1", 10_000).get(0).endsWith("MAINPID=" + daemon.process().pid()));
                String names = new String(EpmdWire.request(port, EpmdWire.names()), StandardCharsets.ISO_8859_1);
                assertTrue(names.endsWith("name unit at port 40200\n"), names);
            }
            daemon.process().destroy();
            assertEquals(0, daemon.exitStatus(15_000), daemon.stderr());
            List<String> last = notify.until("STATUS=Exited.", 5_000);
            assertEquals("STATUS=Exited.\nERRNO=0", last.get(last.size() - 1));
        }
    }

    private static void awaitListening(int port) {
        Await.until(Duration.ofSeconds(5), () -> JepmdProcess.acceptsOnLoopback(port),
                () -> "systemd-socket-activate to listen on " + port);
    }
}
