package org.jepmd.server;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.JepmdOnFreePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
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
    @RegisterExtension
    final JepmdOnFreePort jepmd = new JepmdOnFreePort();

    @Test
    void port2ReplyForALiveNodeIsExactAndFollowedByClose() {
        jepmd.start();
        register("alpha", 40001);
        byte[] reply = jepmd.request(EpmdWire.portPlease2("alpha"));
        byte[] expected = EpmdWire.concat(new byte[] {119, 0}, EpmdWire.u16(40001), new byte[] {77, 0},
                EpmdWire.u16(6), EpmdWire.u16(5), EpmdWire.u16(5), EpmdWire.utf8("alpha"), EpmdWire.u16(0));
        assertArrayEquals(expected, reply);
    }

    @Test
    void namesWithNoNodesIsTheHeaderAlone() {
        jepmd.start();
        byte[] reply = jepmd.request(EpmdWire.names());
        assertArrayEquals(ByteBuffer.allocate(4).putInt(jepmd.port()).array(), reply);
    }

    @Test
    void namesOverManyNodesStreamsEveryLineNewestFirstToASlowReader() throws Exception {
        int count = 5_000;
        jepmd.start();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(ByteBuffer.allocate(4).putInt(jepmd.port()).array());
        for (int i = 0; i < count; i++) {
            register("node" + i, 20000 + i);
        }
        for (int i = count - 1; i >= 0; i--) {
            expected.write(("name node" + i + " at port " + (20000 + i) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        EpmdWire.Conn conn = jepmd.connect();
        conn.socket().setReceiveBufferSize(4096);
        conn.send(EpmdWire.frame(EpmdWire.names()));
        Thread.sleep(200); // let the daemon fill the socket and wait for writability
        byte[] reply = conn.readUntilClose(10_000);
        assertEquals(expected.size(), reply.length);
        assertArrayEquals(expected.toByteArray(), reply);
    }

    private void register(String name, int port) {
        NodeInfo info = new NodeInfo(NodeName.of(name), port, 77, 0, 6, 5, new byte[0]);
        jepmd.server().registry().register(info, new Object(), 0, new InetSocketAddress("127.0.0.1", 50000));
    }
}
