package org.jepmd.server;

import org.jepmd.protocol.NodeName;
import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.JepmdOnFreePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Objects;

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

    @RegisterExtension
    final JepmdOnFreePort jepmd = new JepmdOnFreePort();

    @Test
    void registeredConnectionStaysOpenAndAnswersLookups() {
        jepmd.start();
        EpmdWire.Conn node = register();
        assertTrue(node.staysOpenFor(300));
        byte[] reply = jepmd.request(EpmdWire.portPlease2("kept"));
        assertEquals(119, reply[0] & 0xFF);
        assertEquals(0, reply[1]);
        assertNotNull(jepmd.server().registry().lookup(NAME));
    }

    @Test
    void aByteAfterTheReplyEndsTheRegistrationAndClosesSilently() {
        jepmd.start();
        EpmdWire.Conn node = register();
        node.send(new byte[] {42});
        assertTrue(node.closesSilentlyWithin(2000));
        awaitUnregistered();
    }

    @Test
    void closingTheConnectionUnregistersAndTheNameCanBeTakenAgain() {
        jepmd.start();
        register().close();
        awaitUnregistered();
        register();
        assertNotNull(jepmd.server().registry().lookup(NAME));
    }

    private EpmdWire.Conn register() {
        EpmdWire.Conn node = jepmd.send(EpmdWire.alive2("kept", 45000));
        byte[] reply = node.readExactly(6, 2000);
        assertArrayEquals(new byte[] {118, 0}, new byte[] {reply[0], reply[1]}, "ALIVE2_X_RESP, result 0");
        return node;
    }

    private void awaitUnregistered() {
        assertNull(Await.poll(Duration.ofSeconds(2), () -> jepmd.server().registry().lookup(NAME), Objects::isNull),
                "still registered 2 s after the connection ended");
    }
}
