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
 * sends the registry state (in a memory file) and every registration connection to
 * {@code NOTIFY_SOCKET} with {@code FDSTORE=1}, and stops without closing a connection: systemd
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
        try (FdStoreSender sender = FdStoreSender.to(notifySocket)) {
            try {
                sendState(sender, state);
                stored.add(FdStoreNames.STATE);
                int kept = Math.min(paused.liveFds().size(), capacity - 1);
                for (int i = 0; i < kept; i++) {
                    String name = FdStoreNames.node(i);
                    sender.send(FdStoreNames.store(name), List.of(paused.liveFds().get(i)));
                    stored.add(name);
                }
                if (kept < paused.liveFds().size()) {
                    LOG.warn("systemd's fd store takes {} descriptors (FDSTORE): {} of {} registrations are dropped",
                            capacity, paused.liveFds().size() - kept, paused.liveFds().size());
                }
            } catch (IOException e) {
                stored.forEach(name -> removeQuietly(sender, name));
                throw e;
            }
        } catch (IOException e) {
            LOG.warn("cannot keep the registrations in systemd's fd store ({}); stopping without them", e.getMessage());
            server.handover().resume();
            return false;
        }
        server.handedOver(); // this process's copies only: systemd holds the others
        LOG.info("stopped into systemd's fd store: {} registered nodes in {} ms", stored.size() - 1,
                (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    private static void removeQuietly(FdStoreSender sender, String name) {
        try {
            sender.send(FdStoreNames.remove(name), List.of());
        } catch (IOException e) {
            LOG.debug("cannot remove {} from systemd's fd store: {}", name, e.getMessage());
        }
    }

    private static void sendState(FdStoreSender sender, RegistryState state) throws IOException {
        int memoryFile = FdStoreSender.memoryFile(FdStoreNames.STATE, StateCodec.encode(state));
        try {
            sender.send(FdStoreNames.store(FdStoreNames.STATE), List.of(memoryFile));
        } finally {
            FdStoreSender.closeQuietly(memoryFile);
        }
    }
}
