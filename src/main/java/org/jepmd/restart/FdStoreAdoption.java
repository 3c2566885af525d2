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
 * copies ({@code FDSTOREREMOVE=1}) so that a later stop closes the connections. A state it cannot
 * read is logged and its connections closed: the nodes register again.
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
        Integer stateFd = null;
        Map<Integer, Integer> connections = new HashMap<>();
        List<Integer> unclaimed = new ArrayList<>();
        for (ListenFds.Stored entry : stored) {
            names.add(entry.name());
            int index = FdStoreNames.nodeIndex(entry.name());
            if (entry.name().equals(FdStoreNames.STATE) && stateFd == null) {
                stateFd = entry.fd();
            } else if (index >= 0 && !connections.containsKey(index)) {
                connections.put(index, entry.fd());
            } else {
                unclaimed.add(entry.fd());
            }
        }
        try {
            RegistryState state = stateFd == null ? null : read(stateFd);
            List<Handover.HandedNode> nodes = new ArrayList<>();
            if (state != null) {
                for (int i = 0; i < state.live().size(); i++) {
                    Integer fd = connections.remove(i);
                    RegistryState.LiveNode node = state.live().get(i);
                    if (fd == null) {
                        LOG.info("systemd kept no connection for node {}: it registers again", node.info().name());
                    } else {
                        nodes.add(new Handover.HandedNode(fd, node.info(), node.creation(), node.registeredAt()));
                    }
                }
            }
            unclaimed.addAll(connections.values());
            unclaimed.forEach(FdStoreAdoption::closeQuietly); // their nodes see a close and register again
            if (state == null) {
                return EpmdServer.start(config, events);
            }
            EpmdServer server = EpmdServer.takeOver(config, events, config.inheritedFds(), nodes, state.unused());
            server.serve();
            LOG.info("adopted {} registered nodes of pid {} from systemd's fd store in {} ms", nodes.size(), state.pid(),
                    (System.nanoTime() - started) / 1_000_000);
            return server;
        } finally {
            names.forEach(name -> notifier.send(FdStoreNames.remove(name)));
        }
    }

    /** The state in the memory file {@code fd} (closed here); null, with the reason logged, when it is unreadable. */
    private static RegistryState read(int fd) {
        try {
            // a new open file description of the memory file, read from its start
            return StateCodec.decode(Files.readAllBytes(Path.of("/proc/self/fd/" + fd)));
        } catch (IOException | StateCodec.StateFormatException e) {
            LOG.error("cannot adopt the registrations systemd kept ({}); their nodes register again", e.getMessage());
            return null;
        } finally {
            closeQuietly(fd);
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
