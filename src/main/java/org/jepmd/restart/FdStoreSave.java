package org.jepmd.restart;

import org.jepmd.server.EpmdServer;
import org.jepmd.server.Handover;
import org.jepmd.systemd.FdStoreSender;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * A {@code -systemd} daemon's stop into systemd's fd store: pauses as for {@code jepmd -restart},
 * sends the registry state with the socket inode of each connection (in a memory file,
 * {@link FdStoreState}) and every registration connection to {@code NOTIFY_SOCKET} with
 * {@code FDSTORE=1}, and stops without closing a connection: systemd
 * holds them and passes them to the next daemon it starts ({@link FdStoreAdoption}). On
 * {@code systemctl stop} systemd closes them itself once the unit is down.
 */
public final class FdStoreSave {
    private FdStoreSave() {
    }

    /**
     * Whether to try: always under systemd before 254, which says nothing about the store (with
     * {@code FileDescriptorStoreMax=0} it drops what it gets, and the nodes register again as after
     * any stop); from 254 on, when it sets {@code FDSTORE} (to {@code FileDescriptorStoreMax=}).
     *
     * @return how many descriptors may be stored, {@link Integer#MAX_VALUE} when unknown, 0 for none
     */
    public static int capacity(Map<String, String> env) {
        String limit = env.get("FDSTORE");
        if (limit == null) {
            return Integer.MAX_VALUE;
        }
        try {
            return Math.max(0, Integer.parseInt(limit.trim()));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * Stores the registrations and stops the daemon; {@link EpmdServer#terminated()} then completes with 0.
     *
     * @param capacity as {@link #capacity}: the state and at most {@code capacity - 1} connections are stored
     * @return false, the daemon serving again unchanged, when nothing could be stored: the caller stops it as usual
     */
    public static boolean stopInto(EpmdServer server, String notifySocket, int capacity) {
        if (!server.canHandOver() || capacity < 1) {
            return false;
        }
        long started = System.nanoTime();
        Handover.Paused paused = server.handover().pause(HandoverSession.DRAIN);
        RegistryState state = RegistryState.of(server.config().arguments(), paused);
        List<String> stored = new ArrayList<>();
        int kept;
        try (FdStoreSender sender = FdStoreSender.to(notifySocket)) {
            try {
                // the registrations first, then the connections kept after a refused ALIVE2
                List<Integer> connections = new ArrayList<>(paused.liveFds());
                connections.addAll(paused.refusedFds());
                kept = Math.min(connections.size(), capacity - 1);
                List<Long> inodes = inodes(connections, kept);
                sendState(sender, new FdStoreState(System.nanoTime(), inodes, StateCodec.encode(state)));
                stored.add(FdStoreNames.STATE);
                for (int i = 0; i < kept; i++) {
                    String name = FdStoreNames.node(inodes.get(i));
                    sender.send(FdStoreNames.store(name), List.of(connections.get(i)));
                    stored.add(name);
                }
                if (kept < paused.liveFds().size()) {
                    LOG.warn("systemd's fd store takes {} descriptors (FDSTORE): {} of {} registrations are dropped",
                            capacity, paused.liveFds().size() - kept, paused.liveFds().size());
                }
            } catch (IOException e) {
                FdStoreRemovals.remove(stored, message -> sent(sender, message));
                throw e;
            }
        } catch (IOException e) {
            LOG.warn("cannot keep the registrations in systemd's fd store ({}); stopping without them", e.getMessage());
            server.handover().resume();
            return false;
        }
        server.handedOver(); // this process's copies only: systemd holds the others
        int nodesKept = Math.min(kept, paused.liveFds().size());
        LOG.info("stopped into systemd's fd store: {} registered nodes and {} connections kept after a refused"
                + " ALIVE2 in {} ms", nodesKept, kept - nodesKept, (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    /** The socket inode of each of the first {@code kept} connections, {@link SocketInode#NONE} for the others. */
    private static List<Long> inodes(List<Integer> fds, int kept) throws IOException {
        List<Long> inodes = new ArrayList<>(fds.size());
        for (int i = 0; i < fds.size(); i++) {
            inodes.add(i < kept ? SocketInode.of(fds.get(i)) : SocketInode.NONE);
        }
        return inodes;
    }

    private static boolean sent(FdStoreSender sender, String message) {
        try {
            sender.send(message, List.of());
            return true;
        } catch (IOException e) {
            LOG.debug("cannot send {} to systemd: {}", message.replace('\n', ' '), e.getMessage());
            return false;
        }
    }

    private static void sendState(FdStoreSender sender, FdStoreState state) throws IOException {
        int memoryFile = FdStoreSender.memoryFile(FdStoreNames.STATE, state.encode());
        try {
            sender.send(FdStoreNames.store(FdStoreNames.STATE), List.of(memoryFile));
        } finally {
            FdStoreSender.closeQuietly(memoryFile);
        }
    }
}
