package org.jepmd.hardening;

import org.jepmd.server.guard.ConnectionLimits;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** At the total cap a real daemon closes new connections at once and keeps every registration. */
class ConnectionCapsOverLoopbackTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void atTheCapNewConnectionsAreClosedAtOnceAndRegistrationsSurvive() {
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.connectionLimits(new ConnectionLimits(12, 12, 2)))) {
            int port = jepmd.port();
            List<EpmdWire.Conn> held = new ArrayList<>();
            try {
                List<byte[]> before = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    EpmdWire.Conn node = EpmdWire.connect(port).send(EpmdWire.frame(EpmdWire.alive2("n" + i, 5000 + i)));
                    assertEquals(0, node.readExactly(6, 2_000)[1]);
                    held.add(node);
                    before.add(Lookups.port2(port, "n" + i));
                }
                for (int i = 0; i < 8; i++) {
                    held.add(EpmdWire.connect(port)); // idle, within the packet timeout
                }
                assertTrue(Lookups.millisUntil(() -> jepmd.server().openConnections() == 12, 2_000) >= 0);
                for (int i = 0; i < 20; i++) {
                    try (EpmdWire.Conn extra = EpmdWire.connect(port)) {
                        extra.send(EpmdWire.frame(EpmdWire.names()));
                        assertTrue(extra.closesSilentlyWithin(500), "connection over the cap was served or kept");
                    }
                }
                assertEquals(4, jepmd.server().registry().newestFirst().size());
                held.remove(held.size() - 1).close();
                assertTrue(Lookups.millisUntil(() -> jepmd.server().openConnections() == 11, 2_000) >= 0);
                for (int i = 0; i < 4; i++) {
                    // a lookup's slot comes back when the daemon has processed its close, just after the client saw it
                    assertTrue(Lookups.millisUntil(() -> jepmd.server().openConnections() == 11, 2_000) >= 0);
                    assertArrayEquals(before.get(i), Lookups.port2(port, "n" + i), "registration n" + i + " changed");
                }
            } finally {
                held.forEach(EpmdWire.Conn::close);
            }
        }
    }
}
