package org.jepmd.server.guard;

/**
 * Caps on open client connections (registered nodes included). epmd's own cap is its connection
 * table, about 1,020 on Linux (docs/protocol.md, Connections); these defaults sit far above it so that a drop-in
 * never refuses what epmd would accept, yet a flood cannot take every descriptor.
 *
 * @param maxTotal        connections open at once, from anywhere
 * @param maxPerPeer      connections open at once from one non-loopback address
 * @param loopbackReserve slots of {@code maxTotal} that only loopback peers may take, so local
 *                        nodes and {@code jepmd -names} still get in while remote clients fill the rest
 * @param ipv6PeerPrefix  the leading bits of an IPv6 address that make it one peer for {@code maxPerPeer}:
 *                        a host usually holds a whole /64, so counting each address alone caps nothing
 */
public record ConnectionLimits(int maxTotal, int maxPerPeer, int loopbackReserve, int ipv6PeerPrefix) {
    /** IPv6 peers in one /64 count as one peer unless told otherwise. */
    public static final int DEFAULT_IPV6_PEER_PREFIX = 64;

    /** 50,000 in total, 1,000 per non-loopback address (IPv6: per /64), 16 slots kept for loopback. */
    public static final ConnectionLimits DEFAULT = new ConnectionLimits(50_000, 1_000, 16);

    /** Limits that group IPv6 peers by {@link #DEFAULT_IPV6_PEER_PREFIX}. */
    public ConnectionLimits(int maxTotal, int maxPerPeer, int loopbackReserve) {
        this(maxTotal, maxPerPeer, loopbackReserve, DEFAULT_IPV6_PEER_PREFIX);
    }

    /**
     * Descriptors kept free, beyond those open when the limits are computed, for what the daemon
     * opens later: 48 for the first listening sockets, log files, jar files the JVM opens as classes
     * load, the HTTP endpoint, the systemd notify and restart sockets; and per core (one event loop
     * each) 8 for the loop's epoll, event and timer descriptors and its own SO_REUSEPORT listening
     * socket per address.
     */
    static final int DESCRIPTOR_HEADROOM = 48 + 8 * Runtime.getRuntime().availableProcessors();

    /**
     * The defaults for this process: {@link #DEFAULT}, with the total lowered to fit the open-file
     * limit. At a cap a new connection is accepted and closed at once; without one, a daemon out of
     * descriptors could not even accept, and new clients would wait in the listen backlog.
     */
    public static ConnectionLimits forThisProcess() {
        return fitting(OpenFileLimit.current(), OpenFileLimit.openNow());
    }

    /**
     * {@link #DEFAULT} with the total at most {@code maxOpenFiles} minus those open now and the
     * headroom ({@code maxOpenFiles <= 0}: no limit known).
     */
    static ConnectionLimits fitting(long maxOpenFiles, int openNow) {
        if (maxOpenFiles <= 0) {
            return DEFAULT;
        }
        long room = Math.max(DEFAULT.loopbackReserve() + 1, maxOpenFiles - openNow - DESCRIPTOR_HEADROOM);
        int total = (int) Math.min(DEFAULT.maxTotal(), room);
        return new ConnectionLimits(total, DEFAULT.maxPerPeer(), DEFAULT.loopbackReserve());
    }

    public ConnectionLimits {
        if (maxTotal < 1 || maxPerPeer < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1: total " + maxTotal
                    + ", per peer " + maxPerPeer);
        }
        if (loopbackReserve < 0 || loopbackReserve >= maxTotal) {
            throw new IllegalArgumentException("loopback reserve " + loopbackReserve
                    + " must be at least 0 and below the total limit " + maxTotal);
        }
        if (ipv6PeerPrefix < 1 || ipv6PeerPrefix > 128) {
            throw new IllegalArgumentException("IPv6 peer prefix /" + ipv6PeerPrefix + " must be from 1 to 128");
        }
    }

    /** Connections a non-loopback peer may find open and still get in: the total minus the reserve. */
    public int remoteShare() {
        return maxTotal - loopbackReserve;
    }
}
