package org.jepmd.hardening;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.ErlNode;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.JepmdProcess;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Crashes of nodes, of the daemon and of half-done registrations lose nothing and leave nothing behind. */
class RealNodeFaultsTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNodeKilledWithSignal9IsUnregisteredWithinASecond() {
        try (RunningJepmd jepmd = RunningJepmd.start();
             ErlNode node = ErlNode.sname("victim", jepmd.port());
             ErlNode bystander = ErlNode.sname("bystander", jepmd.port())) {
            int port = jepmd.port();
            assertTrue(Lookups.millisUntil(() -> Lookups.resolvable(port, "victim")
                    && Lookups.resolvable(port, "bystander"), 20_000) >= 0, "nodes never registered");
            int bystanderPort = Lookups.nodePort(port, "bystander");
            node.kill9();
            long gone = Lookups.millisUntil(() -> !Lookups.resolvable(port, "victim"), 1_000);
            assertTrue(gone >= 0, "victim still registered 1 s after kill -9");
            assertEquals(bystanderPort, Lookups.nodePort(port, "bystander"), "the other node was disturbed");
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void nodesReRegisterWhenTheDaemonIsKilledAndRestartedOnTheSamePort() {
        int port = FreePorts.next();
        JepmdProcess first = JepmdProcess.start(port);
        try (ErlNode a = ErlNode.sname("alpha", port); ErlNode b = ErlNode.sname("beta", port)) {
            assertTrue(Lookups.millisUntil(() -> Lookups.resolvable(port, "alpha")
                    && Lookups.resolvable(port, "beta"), 20_000) >= 0, "nodes never registered");
            int alphaPort = Lookups.nodePort(port, "alpha");
            int betaPort = Lookups.nodePort(port, "beta");
            first.kill9();
            assertEquals(-1, Lookups.nodePort(port, "alpha"), "daemon still answering after kill -9");
            try (JepmdProcess second = JepmdProcess.start(port)) {
                // OTP nodes retry their registration every 2 s (erl_epmd)
                long back = Lookups.millisUntil(() -> Lookups.resolvable(port, "alpha")
                        && Lookups.resolvable(port, "beta"), 6_000);
                assertTrue(back >= 0, "nodes did not re-register within 6 s of the restart");
                System.out.printf("re-registered %d ms after the restarted daemon listened%n", back);
                assertEquals(alphaPort, Lookups.nodePort(port, "alpha"));
                assertEquals(betaPort, Lookups.nodePort(port, "beta"));
                assertTrue(back <= 4_000, "re-registration took " + back + " ms");
            }
        } finally {
            first.close();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aClientThatVanishesMidRegistrationLeavesNoZombie() throws Exception {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            byte[] alive = EpmdWire.frame(EpmdWire.alive2("ghost", 4711));
            for (int i = 0; i < 200; i++) {
                try (Socket s = new Socket("127.0.0.1", jepmd.port())) {
                    int cut = i % 2 == 0 ? alive.length : 1 + i % (alive.length - 1);
                    s.getOutputStream().write(alive, 0, cut);
                    if (i % 3 == 0) {
                        s.setSoLinger(true, 0); // reset instead of an orderly close
                    }
                }
            }
            long clean = Lookups.millisUntil(() -> jepmd.server().registry().isEmpty()
                    && jepmd.server().openConnections() == 0, 5_000);
            assertTrue(clean >= 0, "zombie registrations or connections: "
                    + jepmd.server().registry().newestFirst() + ", open " + jepmd.server().openConnections());
            try (EpmdWire.Conn owner = EpmdWire.connect(jepmd.port())) {
                owner.send(EpmdWire.frame(EpmdWire.alive2("ghost", 4711)));
                byte[] reply = owner.readExactly(6, 2_000);
                assertEquals(0, reply[1], "the name stayed taken by a vanished client");
            }
        }
    }
}
