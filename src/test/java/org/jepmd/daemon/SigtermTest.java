package org.jepmd.daemon;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.LoggedProcess;
import org.jepmd.testing.ReadyEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A foreground daemon (as in a container) stops cleanly on SIGTERM: exit 0, ports freed. */
@Timeout(60)
class SigtermTest {

    @Test
    void sigtermStopsTheDaemonWithExitStatus0AndFreesItsPorts() throws Exception {
        int port = FreePorts.next();
        int httpPort = FreePorts.next();
        try (LoggedProcess daemon = LoggedProcess.start(LoggedProcess.javaCommand(org.jepmd.Main.class.getName(),
                "-port", Integer.toString(port), "-http", "127.0.0.1:" + httpPort))) {
            ReadyEndpoint.await(httpPort, Duration.ofSeconds(20), daemon::stderr);
            try (EpmdWire.Conn node = EpmdWire.connect(port)) {
                node.send(EpmdWire.frame(EpmdWire.alive2("busy", 40100)));
                node.readExactly(6, 5000);
                daemon.process().destroy(); // SIGTERM, with a live registration
                assertEquals(0, daemon.exitStatus(10_000), daemon.stderr());
                assertTrue(node.closesSilentlyWithin(2000));
            }
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", httpPort).close());
        }
    }
}
