package org.jepmd.cli;

import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.RealEpmd;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jepmd's client and the reference {@code epmd} client, each against jepmd's daemon and the
 * reference daemon: the same output, byte for byte, and the same exit status (docs/protocol.md, Interactive client).
 */
class SideBySideEpmdIT {
    private String epmd;
    private int jepmdPort;

    @BeforeEach
    void requireEpmd() {
        epmd = Requirements.epmd();
        jepmdPort = FreePorts.next();
    }

    @AfterEach
    void killJepmd() {
        Exec.killDaemons(jepmdPort);
    }

    private Exec.Result epmd(String... args) {
        return Exec.run(epmd, Exec.env(Map.of()), args);
    }

    /** Runs {@code args} with both clients and asserts that they agree; returns the common result. */
    private Exec.Result bothClients(String... args) {
        Exec.Result reference = epmd(args);
        Exec.Result ours = Exec.jepmd(args);
        assertEquals(reference, ours, String.join(" ", args));
        return ours;
    }

    private static EpmdWire.Conn register(int port, String name) {
        EpmdWire.Conn conn = EpmdWire.connect(port);
        conn.send(EpmdWire.frame(EpmdWire.alive2(name, 45678)));
        assertEquals(0, conn.readExactly(6, 5000)[1], name + " registered");
        return conn;
    }

    @Test
    void bothClientsPrintTheSameForEitherDaemon() throws InterruptedException {
        assertEquals(new Exec.Result(0, "", ""), Exec.jepmd("-port", Integer.toString(jepmdPort), "-daemon"));
        try (RealEpmd real = RealEpmd.start()) {
            for (int port : new int[] {jepmdPort, real.port()}) {
                String p = Integer.toString(port);
                Exec.Result empty = bothClients("-port", p, "-names");
                assertEquals(new Exec.Result(0, "epmd: up and running on port " + p + " with data:\n", ""), empty);
                try (EpmdWire.Conn a = register(port, "side_a"); EpmdWire.Conn b = register(port, "side_b")) {
                    Exec.Result names = bothClients("-port", p, "-names");
                    assertEquals("epmd: up and running on port " + p + " with data:\n"
                            + "name side_b at port 45678\nname side_a at port 45678\n", names.out());
                    bothClients("-port", p, "-started");
                    bothClients("-port", p, "-stop", "side_a");         // not relaxed: <>
                    bothClients("-port", p, "-kill");                   // live nodes: refused
                }
                awaitEmpty(port);
            }
            // each client kills the other implementation's daemon
            assertEquals(new Exec.Result(0, "Killed\n", ""), epmd("-port", Integer.toString(jepmdPort), "-kill"));
            assertEquals(new Exec.Result(0, "Killed\n", ""), Exec.jepmd("-port", Integer.toString(real.port()), "-kill"));
        }
    }

    @Test
    void bothClientsAgreeWithoutADaemonAndOnUsageErrors() {
        String nobody = Integer.toString(FreePorts.next());
        for (String action : new String[] {"-names", "-started", "-kill", "-dump"}) {
            bothClients("-port", nobody, action);
        }
        bothClients("-port", nobody, "-stop", "x");
        bothClients("-port", nobody, "-stop", "n".repeat(1001));
        bothClients("-names", "-port", nobody);
        bothClients("-port", "0", "-names");
        bothClients("-port", "abc");
        bothClients("-stop");
        bothClients("--helpme");
        bothClients("-port", nobody, "-d", "-d", "-names", "-names");
    }

    @Test
    void helpIsTheOneIntendedDifference() {
        Exec.Result reference = epmd("-h");
        Exec.Result ours = Exec.jepmd("-h");
        assertEquals(1, reference.exit(), "epmd has no -h: a usage error");
        // jepmd: the same text on stdout with exit 0, followed by jepmd's own options
        assertEquals(0, ours.exit());
        assertTrue(ours.out().startsWith(reference.err()), ours.out());
        assertTrue(ours.out().length() > reference.err().length(), ours.out());
        assertEquals("", ours.err());
    }

    private static void awaitEmpty(int port) {
        Await.holdsWithin(Duration.ofSeconds(2), () -> EpmdWire.request(port, EpmdWire.names()).length == 4);
    }
}
