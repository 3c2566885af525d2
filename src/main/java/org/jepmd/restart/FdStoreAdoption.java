package org.jepmd.restart;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import org.jepmd.server.EpmdEvents;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.Handover;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;
import org.jepmd.systemd.ListenFds;
import org.jepmd.systemd.SystemdNotifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * A {@code -systemd} daemon's start after {@link FdStoreSave}: adopts the registrations systemd
 * kept in its fd store as {@code jepmd -restart}'s new daemon does (same creation numbers, unused
 * names and NAMES order; the options are this daemon's own), serves, and then discards systemd's
 * copies ({@code FDSTOREREMOVE=1} for every name it passed, stale ones too) so that a later stop
 * closes the connections. Each registration gets the connection whose socket inode the state
 * recorded for it, whatever its name, and the connections kept after a refused ALIVE2 are kept
 * again; a connection the state does not name (left by a removal
 * that never happened, its registration ended since) is closed. A state it cannot read is logged
 * and every connection closed: the nodes register again.
 */
public final class FdStoreAdoption {
    private FdStoreAdoption() {
    }

    /**
     * Starts the daemon on the listening sockets in {@code config} with the registrations in {@code stored}.
     *
     * @throws StartupFailure as {@link EpmdServer#start} when the sockets cannot be served
     */
    public static EpmdServer start(ServerConfig config, EpmdEvents events, List<ListenFds.Stored> stored,
                                   SystemdNotifier notifier) throws StartupFailure {
        long started = System.nanoTime();
        if (!Epoll.isAvailable()) { // loads the native code that closes a descriptor below
            throw new StartupFailure(1, "cannot obtain sockets from systemd: inherited sockets need the native epoll transport");
        }
        Set<String> names = new LinkedHashSet<>();
        FdStoreState newest = null;
        Map<Long, Integer> connections = new HashMap<>();
        List<Integer> unclaimed = new ArrayList<>();
        for (ListenFds.Stored entry : stored) {
            names.add(entry.name());
            if (entry.name().equals(FdStoreNames.STATE)) {
                FdStoreState state = read(entry.fd());
                if (state != null && (newest == null || state.storedAt() - newest.storedAt() > 0)) {
                    newest = state; // a state left by a removal that never happened is older
                }
            } else {
                long inode = FdStoreNames.isNode(entry.name()) ? inode(entry.fd()) : SocketInode.NONE;
                if (inode == SocketInode.NONE || connections.putIfAbsent(inode, entry.fd()) != null) {
                    unclaimed.add(entry.fd()); // not a connection, or a second descriptor of one
                }
            }
        }
        try {
            RegistryState state = decode(newest);
            List<Handover.HandedNode> nodes = new ArrayList<>();
            List<Integer> refused = new ArrayList<>();
            if (state != null) {
                for (int i = 0; i < state.live().size(); i++) {
                    Integer fd = connections.remove(newest.inodes().get(i));
                    RegistryState.LiveNode node = state.live().get(i);
                    if (fd == null) {
                        LOG.info("systemd kept no connection for node {}: it registers again", node.info().name());
                    } else {
                        nodes.add(new Handover.HandedNode(fd, node.info(), node.creation(), node.registeredAt()));
                    }
                }
                for (long inode : newest.inodes().subList(state.live().size(), newest.inodes().size())) {
                    Integer fd = connections.remove(inode);
                    if (fd != null) {
                        refused.add(fd);
                    }
                }
            }
            if (state != null && !connections.isEmpty()) {
                LOG.info("closing {} connections systemd kept that no registration claims (registrations that ended)",
                        connections.size());
            }
            unclaimed.addAll(connections.values());
            unclaimed.forEach(FdStoreAdoption::closeQuietly); // their nodes, if any, see a close and register again
            if (state == null) {
                return EpmdServer.start(config, events);
            }
            EpmdServer server = EpmdServer.takeOver(config, events, config.inheritedFds(), nodes, refused, state.unused());
            server.serve();
            LOG.info("adopted {} registered nodes of pid {} from systemd's fd store in {} ms", nodes.size(), state.pid(),
                    (System.nanoTime() - started) / 1_000_000);
            return server;
        } finally {
            FdStoreRemovals.remove(names, notifier::send);
        }
    }

    /** The memory file {@code fd} (closed here); null, with the reason logged, when it is unreadable. */
    private static FdStoreState read(int fd) {
        try {
            // a new open file description of the memory file, read from its start
            return FdStoreState.decode(Files.readAllBytes(Path.of("/proc/self/fd/" + fd)));
        } catch (IOException | StateCodec.StateFormatException e) {
            LOG.error("cannot adopt the registrations systemd kept ({}); their nodes register again", e.getMessage());
            return null;
        } finally {
            closeQuietly(fd);
        }
    }

    /** The registry state in {@code stored}, null when there is none or it is unreadable (logged). */
    private static RegistryState decode(FdStoreState stored) {
        if (stored == null) {
            return null;
        }
        try {
            RegistryState state = StateCodec.decode(stored.state());
            // (an older jepmd stored the registrations' connections only)
            int connections = stored.inodes().size();
            if (connections != state.live().size() && connections != state.live().size() + state.refused()) {
                throw new StateCodec.StateFormatException("the fd store's state names " + connections
                        + " connections for " + state.live().size() + " registrations and " + state.refused()
                        + " kept after a refused ALIVE2");
            }
            return state;
        } catch (StateCodec.StateFormatException e) {
            LOG.error("cannot adopt the registrations systemd kept ({}); their nodes register again", e.getMessage());
            return null;
        }
    }

    /** The socket inode of a stored connection, {@link SocketInode#NONE} when it is not a socket. */
    private static long inode(int fd) {
        try {
            return SocketInode.of(fd);
        } catch (IOException e) {
            LOG.warn("a descriptor systemd kept as a connection is not one ({}); closing it", e.getMessage());
            return SocketInode.NONE;
        }
    }

    private static void closeQuietly(int fd) {
        try {
            new FileDescriptor(fd).close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
