package org.jepmd.restart;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fd store's wrapping of the state, and the socket inodes it records. */
class FdStoreStateTest {
    private static final RegistryState EMPTY = new RegistryState(42, List.of("-systemd"), List.of(), List.of());

    @Test
    void theInodesAndStateCodecsBytesComeBackAsWritten() throws Exception {
        byte[] state = StateCodec.encode(EMPTY);
        FdStoreState read = FdStoreState.decode(new FdStoreState(-5, List.of(7L, -1L, SocketInode.NONE), state).encode());
        assertEquals(-5, read.storedAt());
        assertEquals(List.of(7L, -1L, SocketInode.NONE), read.inodes());
        assertArrayEquals(state, read.state());
        assertEquals(EMPTY, StateCodec.decode(read.state()));
    }

    @Test
    void stateCodecsBytesAloneOrCutShortAreRefused() {
        byte[] framed = new FdStoreState(1, List.of(7L), StateCodec.encode(EMPTY)).encode();
        assertThrows(StateCodec.StateFormatException.class, () -> FdStoreState.decode(StateCodec.encode(EMPTY)));
        assertThrows(StateCodec.StateFormatException.class, () -> FdStoreState.decode(java.util.Arrays.copyOf(framed, 24)));
    }

    @Test
    void eachSocketHasItsOwnInodeAndAClosedDescriptorHasNone() throws IOException {
        Epoll.ensureAvailability(); // Socket comes from the native library
        // (their own descriptors: a diff of /proc/self/fd would see other threads' sockets come and go)
        Socket one = Socket.newSocketStream();
        Socket two = Socket.newSocketStream();
        try {
            long first = SocketInode.of(one.intValue());
            long second = SocketInode.of(two.intValue());
            assertNotEquals(SocketInode.NONE, first);
            assertNotEquals(SocketInode.NONE, second);
            assertNotEquals(first, second);
        } finally {
            one.close();
            two.close();
        }
        assertThrows(IOException.class, () -> SocketInode.of(Integer.MAX_VALUE));
    }
}
