package org.jepmd.server;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replies keep their exact bytes however they are cut into writes (docs/protocol.md, Replies and writes):
 * a one-piece PORT2_RESP, an empty NAMES_RESP, and a NAMES_RESP over 5,000 nodes streamed in pieces while the reader
 * is slower than the daemon.
 */
class ReplyWritesTest {

    @Test
    void port2ReplyForALiveNodeIsExactAndFollowedByClose() {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            register(jepmd, "alpha", 40001);
            byte[] reply = EpmdWire.request(jepmd.port(), EpmdWire.portPlease2("alpha"));
            byte[] expected = EpmdWire.concat(new byte[] {119, 0}, EpmdWire.u16(40001), new byte[] {77, 0},
                    EpmdWire.u16(6), EpmdWire.u16(5), EpmdWire.u16(5), EpmdWire.utf8("alpha"), EpmdWire.u16(0));
            assertArrayEquals(expected, reply);
        }
    }

    @Test
    void namesWithNoNodesIsTheHeaderAlone() {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            byte[] reply = EpmdWire.request(jepmd.port(), EpmdWire.names());
            assertArrayEquals(ByteBuffer.allocate(4).putInt(jepmd.port()).array(), reply);
        }
    }

    @Test
    void namesOverManyNodesStreamsEveryLineNewestFirstToASlowReader() throws Exception {
        int count = 5_000;
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(ByteBuffer.allocate(4).putInt(jepmd.port()).array());
            for (int i = 0; i < count; i++) {
                register(jepmd, "node" + i, 20000 + i);
            }
            for (int i = count - 1; i >= 0; i--) {
                expected.write(("name node" + i + " at port " + (20000 + i) + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            try (EpmdWire.Conn conn = EpmdWire.connect(jepmd.port())) {
                conn.socket().setReceiveBufferSize(4096);
                conn.send(EpmdWire.frame(EpmdWire.names()));
                Thread.sleep(200); // let the daemon fill the socket and wait for writability
                byte[] reply = conn.readUntilClose(10_000);
                assertEquals(expected.size(), reply.length);
                assertArrayEquals(expected.toByteArray(), reply);
            }
        }
    }

    private static void register(RunningJepmd jepmd, String name, int port) {
        NodeInfo info = new NodeInfo(NodeName.of(name), port, 77, 0, 6, 5, new byte[0]);
        jepmd.server().registry().register(info, new Object(), 0, "test");
    }
}
