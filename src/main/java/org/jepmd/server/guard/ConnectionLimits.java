package org.jepmd.server.guard;

/**
 * Caps on open client connections (registered nodes included). epmd's own cap is its connection
 * table, about 1,020 on Linux (spec 1.5, 3.5); these defaults sit far above it so that a drop-in
 * never refuses what epmd would accept, yet a flood cannot take every descriptor.
 *
 * @param maxTotal        connections open at once, from anywhere
 * @param maxPerPeer      connections open at once from one non-loopback address
 * @param loopbackReserve slots of {@code maxTotal} that only loopback peers may take, so local
 *                        nodes and {@code jepmd -names} still get in while remote clients fill the rest
 */
public record ConnectionLimits(int maxTotal, int maxPerPeer, int loopbackReserve) {
    /** 50,000 in total, 1,000 per non-loopback address, 16 slots kept for loopback. */
    public static final ConnectionLimits DEFAULT = new ConnectionLimits(50_000, 1_000, 16);

    public ConnectionLimits {
        if (maxTotal < 1 || maxPerPeer < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1: total " + maxTotal
                    + ", per peer " + maxPerPeer);
        }
        if (loopbackReserve < 0 || loopbackReserve >= maxTotal) {
            throw new IllegalArgumentException("loopback reserve " + loopbackReserve
                    + " must be at least 0 and below the total limit " + maxTotal);
        }
    }

    /** Connections a non-loopback peer may find open and still get in: the total minus the reserve. */
    public int remoteShare() {
        return maxTotal - loopbackReserve;
    }
}
