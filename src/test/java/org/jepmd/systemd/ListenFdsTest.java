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
}
