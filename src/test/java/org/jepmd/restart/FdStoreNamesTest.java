package org.jepmd.restart;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fd store's names and how much of it a daemon may use. */
class FdStoreNamesTest {

    @Test
    void aRegistrationsNameCarriesItsSocketsInodeAndAnyNodeNameIsAConnection() {
        assertEquals("jepmd-node-17", FdStoreNames.node(17));
        assertEquals("jepmd-node-18446744073709551615", FdStoreNames.node(-1L)); // inodes are unsigned
        assertTrue(FdStoreNames.isNode(FdStoreNames.node(17)));
        assertTrue(FdStoreNames.isNode("jepmd-node-0")); // a name an older jepmd gave: still a connection
        assertFalse(FdStoreNames.isNode(FdStoreNames.STATE));
        assertFalse(FdStoreNames.isNode("jepmd.socket"));
    }

    @Test
    void theMessagesAreSdNotifysFdStoreLines() {
        assertEquals("FDSTORE=1\nFDNAME=jepmd-state", FdStoreNames.store(FdStoreNames.STATE));
        assertEquals("FDSTOREREMOVE=1\nFDNAME=jepmd-node-0", FdStoreNames.remove(FdStoreNames.node(0)));
    }

    @Test
    void fdstoreFromSystemd254BoundsTheStoreAndWithoutItTheDaemonTries() {
        assertEquals(Integer.MAX_VALUE, FdStoreSave.capacity(Map.of()));
        assertEquals(4096, FdStoreSave.capacity(Map.of("FDSTORE", "4096")));
        assertEquals(0, FdStoreSave.capacity(Map.of("FDSTORE", "0")));
        assertEquals(Integer.MAX_VALUE, FdStoreSave.capacity(Map.of("FDSTORE", "lots")));
    }
}
