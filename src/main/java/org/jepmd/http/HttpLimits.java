package org.jepmd.http;

import org.jepmd.server.guard.ConnectionLimits;

import java.time.Duration;

/**
 * The HTTP endpoint's limits, apart from EPMD's: a scraper and a few probes need a handful of
 * connections, and none needs long for a request.
 *
 * @param maxConnections  HTTP connections open at once; beyond it a new one is closed at once
 * @param maxPerPeer      HTTP connections open at once from one non-loopback peer (IPv6: one
 *                        network of the daemon's {@code -ipv6_peer_prefix})
 * @param loopbackReserve connections of {@code maxConnections} only loopback peers may take
 * @param deadline        how long a connection may take to send a whole request and read its reply,
 *                        counted from accept and then from the end of each reply; bytes trickling
 *                        in do not extend it
 */
record HttpLimits(int maxConnections, int maxPerPeer, int loopbackReserve, Duration deadline) {
    /** 64 connections, 16 per peer, 8 kept for loopback; 10 s per request. */
    static final HttpLimits DEFAULT = new HttpLimits(64, 16, 8, Duration.ofSeconds(10));

    /** The connection caps, IPv6 peers grouped by {@code ipv6PeerPrefix} bits. */
    ConnectionLimits connectionLimits(int ipv6PeerPrefix) {
        return new ConnectionLimits(maxConnections, maxPerPeer, loopbackReserve, ipv6PeerPrefix);
    }
}
