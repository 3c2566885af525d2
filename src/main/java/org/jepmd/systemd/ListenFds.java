package org.jepmd.systemd;

import org.jepmd.protocol.Epmd;
import org.jepmd.server.StartupFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The listening sockets systemd passes to an activated service, as {@code sd_listen_fds(0)} finds
 * them (docs/protocol.md, systemd socket activation): {@code LISTEN_FDS} descriptors from fd 3, meant for this
 * process only when {@code LISTEN_PID} is its pid. After a restart, systemd passes the service's fd
 * store after the sockets, each named in {@code LISTEN_FDNAMES} as it was stored.
 */
public final class ListenFds {
    /** {@code SD_LISTEN_FDS_START}: the first passed descriptor. */
    public static final int FIRST_FD = 3;
    /** More than sockets and a full fd store can ever add up to; a bigger count is a malformed environment. */
    private static final int MAX_PASSED = 1 << 20;

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
        List<Integer> fds = all(env, pid);
        if (fds.size() > Epmd.MAX_LISTEN_SOCKETS) {
            throw StartupFailure.tooManySockets();
        }
        return fds;
    }

    /**
     * A descriptor from systemd's fd store.
     *
     * @param name its {@code FDNAME}
     * @param fd   its number in this process
     */
    public record Stored(String name, int fd) {
    }

    /**
     * What systemd passed to this process: listening sockets, and fd-store entries.
     *
     * @param listeners the listening sockets, made non-blocking
     * @param stored    the fd-store entries this daemon stored (names starting with the prefix asked for), in order
     */
    public record Inherited(List<Integer> listeners, List<Stored> stored) {
    }

    /**
     * The passed descriptors, split by their {@code LISTEN_FDNAMES} names: those starting with
     * {@code storedPrefix} came from the fd store, the others are listening sockets (made non-blocking).
     *
     * @throws StartupFailure as {@link #parse}, counting only the listening sockets
     */
    public static Inherited inheritWithStore(String storedPrefix) throws StartupFailure {
        Inherited inherited = split(System.getenv(), ProcessHandle.current().pid(), storedPrefix);
        for (int fd : inherited.listeners()) {
            NonBlocking.set(fd);
        }
        return inherited;
    }

    /** {@link #inheritWithStore} on {@code env} for process {@code pid}, without touching a descriptor. */
    public static Inherited split(Map<String, String> env, long pid, String storedPrefix) throws StartupFailure {
        List<Integer> fds = all(env, pid);
        List<String> names = names(env.get("LISTEN_FDNAMES"), fds.size());
        List<Integer> listeners = new ArrayList<>();
        List<Stored> stored = new ArrayList<>();
        for (int i = 0; i < fds.size(); i++) {
            if (names.get(i).startsWith(storedPrefix)) {
                stored.add(new Stored(names.get(i), fds.get(i)));
            } else {
                listeners.add(fds.get(i));
            }
        }
        if (listeners.isEmpty()) {
            throw noSockets();
        }
        if (listeners.size() > Epmd.MAX_LISTEN_SOCKETS) {
            throw StartupFailure.tooManySockets();
        }
        return new Inherited(listeners, stored);
    }

    /** {@code LISTEN_FDNAMES}, colon-separated; "unknown" for each when it is missing or does not match the count. */
    private static List<String> names(String fdNames, int count) {
        List<String> names = fdNames == null ? List.of() : List.of(fdNames.split(":", -1));
        return names.size() == count ? names : java.util.Collections.nCopies(count, "unknown");
    }

    private static List<Integer> all(Map<String, String> env, long pid) throws StartupFailure {
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
        if (count < 0 || count > MAX_PASSED) {
            throw invalid();
        }
        if (count == 0) {
            throw noSockets();
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
