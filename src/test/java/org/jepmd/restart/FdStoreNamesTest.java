package org.jepmd.restart;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fd store's names and how much of it a daemon may use. */
class FdStoreNamesTest {

    @Test
    void aRegistrationsNameCarriesItsIndexAndNothingElseDoes() {
        assertEquals("jepmd-node-17", FdStoreNames.node(17));
        assertEquals(17, FdStoreNames.nodeIndex(FdStoreNames.node(17)));
        assertEquals(-1, FdStoreNames.nodeIndex(FdStoreNames.STATE));
        assertEquals(-1, FdStoreNames.nodeIndex("jepmd-node-x"));
        assertEquals(-1, FdStoreNames.nodeIndex("jepmd.socket"));
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
