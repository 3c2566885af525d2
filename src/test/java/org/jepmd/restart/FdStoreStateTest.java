package org.jepmd.restart;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        java.util.Set<Integer> before = openFds();
        try (ServerSocket one = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket two = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Long> inodes = new java.util.ArrayList<>();
            for (int fd : openFds()) {
                if (!before.contains(fd)) {
                    inodes.add(SocketInode.of(fd));
                }
            }
            assertEquals(2, inodes.size(), inodes.toString());
            assertNotEquals(inodes.get(0), inodes.get(1));
            assertTrue(inodes.stream().allMatch(i -> i != SocketInode.NONE), inodes.toString());
        }
        assertThrows(IOException.class, () -> SocketInode.of(Integer.MAX_VALUE));
    }

    /** This process's open descriptors, without the one that lists them. */
    private static java.util.Set<Integer> openFds() throws IOException {
        List<Path> listed;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            listed = fds.toList();
        }
        return listed.stream().filter(Files::exists).map(p -> Integer.parseInt(p.getFileName().toString()))
                .collect(java.util.stream.Collectors.toSet());
    }
}
