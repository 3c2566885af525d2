package org.jepmd.hardening;

import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.JepmdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without -max_connections the cap fits the open-file limit: a full daemon still accepts, and
 * closes the newcomer at once instead of leaving it unanswered in the listen backlog.
 */
class DefaultCapUnderFileLimitTest {
    private static final int OPEN_FILES = 300;
    private static final int BATCH = 10;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFullDaemonClosesNewConnectionsAtOnceAndServesAgainWhenSlotsFree() {
        int port = FreePorts.next();
        try (JepmdProcess jepmd = JepmdProcess.start("ulimit -n " + OPEN_FILES + ";", port)) {
            List<EpmdWire.Conn> held = new ArrayList<>();
            try {
                EpmdWire.Conn node = EpmdWire.connect(port).send(EpmdWire.frame(EpmdWire.alive2("keeper", 4242)));
                held.add(node);
                assertEquals(0, node.readExactly(6, 5_000)[1]);
                // open idle connections (well within the 60 s packet timeout) until one is closed at once
                boolean capped = false;
                while (!capped && held.size() < OPEN_FILES) {
                    for (int i = 0; i < BATCH; i++) {
                        held.add(EpmdWire.connect(port));
                    }
                    capped = held.get(held.size() - 1).closesSilentlyWithin(300);
                }
                assertTrue(capped, "no cap below the open-file limit of " + OPEN_FILES + ": " + jepmd.output());
                assertTrue(held.size() > OPEN_FILES / 4, "cap far too low: " + held.size());
                try (EpmdWire.Conn extra = EpmdWire.connect(port)) {
                    extra.send(EpmdWire.frame(EpmdWire.names()));
                    assertTrue(extra.closesSilentlyWithin(3_000), "a connection over the cap was served or left hanging");
                }
                for (int i = 0; i < 2 * BATCH; i++) {
                    held.remove(held.size() - 1).close();
                }
                byte[] reply = awaitNames(port);
                assertTrue(new String(reply, 4, reply.length - 4).contains("name keeper at port 4242\n"),
                        "the registration survived and NAMES is served again: " + jepmd.output());
            } finally {
                held.forEach(EpmdWire.Conn::close);
            }
        }
    }

    /** NAMES, retried briefly while the daemon notices the freed slots. */
    private static byte[] awaitNames(int port) {
        return Await.poll(Duration.ofSeconds(10), () -> EpmdWire.request(port, EpmdWire.names()), reply -> reply.length >= 4);
    }
}
