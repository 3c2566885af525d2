package org.jepmd.restart;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.UnusedNode;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-over state's byte format: every field survives, and what this jepmd cannot read is refused. */
class StateCodecTest {
    private static final RegistryState STATE = new RegistryState(4242, List.of("-port", "4370", "-relaxed_command_check"),
            List.of(new RegistryState.LiveNode(new NodeInfo(NodeName.of("ä-node"), 40001, 77, 0, 6, 5, new byte[] {1, 0, 2}),
                    0xFFFF_FFF0L, 1_700_000_000_000L)),
            List.of(new UnusedNode(NodeName.of("old"), 40002, 9, 12345L)), 3);

    @Test
    void everyFieldSurvives() throws Exception {
        RegistryState decoded = StateCodec.decode(StateCodec.encode(STATE));
        assertEquals(STATE.pid(), decoded.pid());
        assertEquals(STATE.arguments(), decoded.arguments());
        assertEquals(STATE.unused(), decoded.unused());
        RegistryState.LiveNode node = decoded.live().get(0);
        assertEquals(STATE.live().get(0).info(), node.info());
        assertArrayEquals(new byte[] {1, 0, 2}, node.info().extra());
        assertEquals(0xFFFF_FFF0L, node.creation());
        assertEquals(1_700_000_000_000L, node.registeredAt());
        assertEquals(3, decoded.refused(), "connections kept after a refused ALIVE2");
    }

    @Test
    void anOlderDaemonsFormat1IsReadWithNoRefusedConnections() throws Exception {
        byte[] current = StateCodec.encode(STATE);
        byte[] version1 = Arrays.copyOf(current, current.length - 4); // format 2 added the refused count at the end
        ByteBuffer.wrap(version1).putInt(8, 1);
        RegistryState decoded = StateCodec.decode(version1);
        assertEquals(STATE.live().get(0).info(), decoded.live().get(0).info());
        assertEquals(STATE.unused(), decoded.unused());
        assertEquals(0, decoded.refused());
    }

    @Test
    void aNewerVersionIsRefusedWithAClearMessage() {
        byte[] bytes = StateCodec.encode(STATE);
        ByteBuffer.wrap(bytes).putInt(8, StateCodec.VERSION + 1);
        StateCodec.StateFormatException refused = assertThrows(StateCodec.StateFormatException.class,
                () -> StateCodec.decode(bytes));
        assertTrue(refused.getMessage().contains("state format " + (StateCodec.VERSION + 1) + " is unknown to this jepmd"),
                refused.getMessage());
    }

    @Test
    void notAStateOrCutShortIsRefused() {
        byte[] bytes = StateCodec.encode(STATE);
        assertThrows(StateCodec.StateFormatException.class, () -> StateCodec.decode("HTTP/1.1 200".getBytes()));
        assertThrows(StateCodec.StateFormatException.class, () -> StateCodec.decode(Arrays.copyOf(bytes, bytes.length - 3)));
        assertThrows(StateCodec.StateFormatException.class, () -> StateCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)));
    }
}
