package org.jepmd.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@code -restart}'s rule for the new daemon's arguments: daemon options given replace the old ones; -port only chooses. */
class ClientActionsTest {

    @Test
    void withoutDaemonOptionsTheOldOnesAreKept() {
        assertNull(ClientActions.daemonOptions(List.of("-restart")));
        assertNull(ClientActions.daemonOptions(List.of("-port", "4370", "-restart")));
    }

    @Test
    void daemonOptionsGivenReplaceTheOldOnesWithThePort() {
        assertEquals(List.of("-port", "4370", "-audit"), ClientActions.daemonOptions(List.of("-port", "4370", "-audit", "-restart")));
        assertEquals(List.of("-d"), ClientActions.daemonOptions(List.of("-d", "-restart")));
        assertEquals(List.of("-http", ":9436", "-port", "4370"),
                ClientActions.daemonOptions(List.of("-http", ":9436", "-port", "4370", "-restart")));
    }
}
