package org.jepmd.systemd;

import org.jepmd.server.StartupFailure;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code sd_listen_fds(0)} as epmd reads it (docs/protocol.md, systemd socket activation). */
class ListenFdsTest {
    private static final long PID = 4242;

    private static String failure(Map<String, String> env) {
        StartupFailure failure = assertThrows(StartupFailure.class, () -> ListenFds.parse(env, PID));
        assertEquals(1, failure.exitStatus());
        return failure.getMessage();
    }

    @Test
    void passedSocketsAreFdsFrom3() throws StartupFailure {
        assertEquals(List.of(3), ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "1"), PID));
        assertEquals(List.of(3, 4, 5), ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "3"), PID));
    }

    @Test
    void sixteenSocketsAreTheMost() throws StartupFailure {
        assertEquals(16, ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "16"), PID).size());
        assertEquals("cannot listen on more than 16 IP addresses",
                failure(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "17")));
    }

    @Test
    void noSocketsWhenUnsetZeroOrMeantForAnotherProcess() {
        assertEquals("systemd provides no sockets", failure(Map.of()));
        assertEquals("systemd provides no sockets", failure(Map.of("LISTEN_FDS", "2")));
        assertEquals("systemd provides no sockets", failure(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "0")));
        assertEquals("systemd provides no sockets", failure(Map.of("LISTEN_PID", "4243", "LISTEN_FDS", "2")));
        assertEquals("systemd provides no sockets", failure(Map.of("LISTEN_PID", "4242")));
    }

    @Test
    void malformedValuesAreInvalidArgument() {
        String invalid = "cannot obtain sockets from systemd: Invalid argument";
        assertEquals(invalid, failure(Map.of("LISTEN_PID", "abc", "LISTEN_FDS", "1")));
        assertEquals(invalid, failure(Map.of("LISTEN_PID", "0", "LISTEN_FDS", "1")));
        assertEquals(invalid, failure(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "two")));
        assertEquals(invalid, failure(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "-1")));
    }

    @Test
    void fdStoreEntriesAreToldFromListeningSocketsByName() throws StartupFailure {
        ListenFds.Inherited inherited = ListenFds.split(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "4",
                "LISTEN_FDNAMES", "jepmd.socket:jepmd-state:jepmd-node-0:jepmd.socket"), PID, "jepmd-");
        assertEquals(List.of(3, 6), inherited.listeners());
        assertEquals(List.of(new ListenFds.Stored("jepmd-state", 4), new ListenFds.Stored("jepmd-node-0", 5)),
                inherited.stored());
    }

    @Test
    void withoutMatchingNamesEveryPassedDescriptorIsAListeningSocket() throws StartupFailure {
        assertEquals(new ListenFds.Inherited(List.of(3, 4), List.of()),
                ListenFds.split(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2"), PID, "jepmd-"));
        assertEquals(new ListenFds.Inherited(List.of(3, 4), List.of()), ListenFds.split(Map.of("LISTEN_PID", "4242",
                "LISTEN_FDS", "2", "LISTEN_FDNAMES", "jepmd-state"), PID, "jepmd-")); // one name for two: ignored
    }

    @Test
    void onlyListeningSocketsCountTowardsSixteen() throws StartupFailure {
        List<String> names = new java.util.ArrayList<>(java.util.Collections.nCopies(16, "jepmd.socket"));
        for (int i = 0; i < 100; i++) {
            names.add("jepmd-node-" + i);
        }
        ListenFds.Inherited inherited = ListenFds.split(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "116",
                "LISTEN_FDNAMES", String.join(":", names)), PID, "jepmd-");
        assertEquals(16, inherited.listeners().size());
        assertEquals(100, inherited.stored().size());
        names.add(0, "jepmd.socket");
        StartupFailure tooMany = assertThrows(StartupFailure.class, () -> ListenFds.split(Map.of("LISTEN_PID", "4242",
                "LISTEN_FDS", "117", "LISTEN_FDNAMES", String.join(":", names)), PID, "jepmd-"));
        assertEquals("cannot listen on more than 16 IP addresses", tooMany.getMessage());
        StartupFailure none = assertThrows(StartupFailure.class, () -> ListenFds.split(Map.of("LISTEN_PID", "4242",
                "LISTEN_FDS", "1", "LISTEN_FDNAMES", "jepmd-state"), PID, "jepmd-"));
        assertEquals("systemd provides no sockets", none.getMessage());
    }
}
