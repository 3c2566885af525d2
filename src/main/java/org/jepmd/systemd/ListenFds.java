package org.jepmd.systemd;

import org.jepmd.protocol.Epmd;
import org.jepmd.server.StartupFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The listening sockets systemd passes to an activated service, as {@code sd_listen_fds(0)} finds
 * them (docs/protocol.md, systemd socket activation): {@code LISTEN_FDS} descriptors from fd 3, meant for this
 * process only when {@code LISTEN_PID} is its pid.
 */
public final class ListenFds {
    /** {@code SD_LISTEN_FDS_START}: the first passed descriptor. */
    public static final int FIRST_FD = 3;

    private ListenFds() {
    }

    /**
     * The descriptors passed to this process, made non-blocking for the epoll transport.
     *
     * @throws StartupFailure (exit 1) with epmd's message when there are none, too many, or the
     *                        environment is malformed
     */
    public static List<Integer> inherit() throws StartupFailure {
        List<Integer> fds = parse(System.getenv(), ProcessHandle.current().pid());
        for (int fd : fds) {
            NonBlocking.set(fd);
        }
        return fds;
    }

    /**
     * The descriptors that {@code env} passes to process {@code pid}: fds 3 to 3 + LISTEN_FDS - 1.
     *
     * @throws StartupFailure (exit 1): {@code systemd provides no sockets} when none are meant for
     *                        {@code pid}, {@code cannot obtain sockets from systemd: Invalid argument}
     *                        for unparsable values, and epmd's socket-count message above 16
     */
    public static List<Integer> parse(Map<String, String> env, long pid) throws StartupFailure {
        String listenPid = env.get("LISTEN_PID");
        String listenFds = env.get("LISTEN_FDS");
        if (listenPid == null) {
            throw noSockets();
        }
        long forPid = number(listenPid);
        if (forPid <= 0) {
            throw invalid();
        }
        if (forPid != pid || listenFds == null) {
            throw noSockets(); // the sockets were meant for another process (e.g. our parent)
        }
        long count = number(listenFds);
        if (count < 0 || count > Integer.MAX_VALUE - FIRST_FD) {
            throw invalid();
        }
        if (count == 0) {
            throw noSockets();
        }
        if (count > Epmd.MAX_LISTEN_SOCKETS) {
            throw StartupFailure.tooManySockets();
        }
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            fds.add(FIRST_FD + i);
        }
        return fds;
    }

    private static long number(String text) throws StartupFailure {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    private static StartupFailure noSockets() {
        return new StartupFailure(1, "systemd provides no sockets");
    }

    private static StartupFailure invalid() {
        return new StartupFailure(1, "cannot obtain sockets from systemd: Invalid argument");
    }
}
