package org.jepmd.server;

import org.jepmd.protocol.NodeName;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registration connection after its ALIVE2 reply (docs/protocol.md, ALIVE2_REQ) runs with the request
 * stages removed from its pipeline; it must still behave as epmd's "keep" connection: it stays
 * open and registered, any byte ends it, and its close unregisters the node.
 */
class KeptRegistrationConnectionTest {
    private static final NodeName NAME = NodeName.of("kept");

    @Test
    void registeredConnectionStaysOpenAndAnswersLookups() {
        try (RunningJepmd jepmd = RunningJepmd.start(); EpmdWire.Conn node = register(jepmd)) {
            assertTrue(node.staysOpenFor(300));
            byte[] reply = EpmdWire.request(jepmd.port(), EpmdWire.portPlease2("kept"));
            assertEquals(119, reply[0] & 0xFF);
            assertEquals(0, reply[1]);
            assertNotNull(jepmd.server().registry().lookup(NAME));
        }
    }

    @Test
    void aByteAfterTheReplyEndsTheRegistrationAndClosesSilently() {
        try (RunningJepmd jepmd = RunningJepmd.start(); EpmdWire.Conn node = register(jepmd)) {
            node.send(new byte[] {42});
            assertTrue(node.closesSilentlyWithin(2000));
            awaitUnregistered(jepmd);
        }
    }

    @Test
    void closingTheConnectionUnregistersAndTheNameCanBeTakenAgain() {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            register(jepmd).close();
            awaitUnregistered(jepmd);
            try (EpmdWire.Conn again = register(jepmd)) {
                assertNotNull(jepmd.server().registry().lookup(NAME));
            }
        }
    }

    private static EpmdWire.Conn register(RunningJepmd jepmd) {
        EpmdWire.Conn node = EpmdWire.connect(jepmd.port()).send(EpmdWire.frame(EpmdWire.alive2("kept", 45000)));
        byte[] reply = node.readExactly(6, 2000);
        assertArrayEquals(new byte[] {118, 0}, new byte[] {reply[0], reply[1]}, "ALIVE2_X_RESP, result 0");
        return node;
    }

    private static void awaitUnregistered(RunningJepmd jepmd) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (jepmd.server().registry().lookup(NAME) != null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
        assertNull(jepmd.server().registry().lookup(NAME), "still registered 2 s after the connection ended");
    }
}
