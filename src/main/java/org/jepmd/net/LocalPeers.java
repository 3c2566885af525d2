package org.jepmd.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Whether a peer is this host: the one answer behind epmd's local-only requests, the connection
 * guard's loopback reserve and {@code -allow_query}'s loopback exemption.
 * A peer without an IP address (a Unix or in-memory channel, or none at all) is never local or
 * loopback: epmd only serves IP peers and counts one whose address it cannot get as not local
 * ({@code conn_local_peer_check()}), so jepmd never grants on a guess.
 */
public final class LocalPeers {
    private LocalPeers() {
    }

    /** The peer's IP address, or null if it has none. */
    public static InetAddress ipOf(SocketAddress peer) {
        return peer instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** True for a peer in 127.0.0.0/8 or at {@code ::1}. */
    public static boolean isLoopback(SocketAddress peer) {
        InetAddress ip = ipOf(peer);
        return ip != null && ip.isLoopbackAddress();
    }

    /**
     * epmd's rule for ALIVE2, DUMP, KILL and STOP ({@code conn_local_peer_check()}): a loopback peer,
     * or one whose address is the connection's own (the host talking to one of its own addresses).
     *
     * @param peer the peer's address
     * @param self the connection's own address
     */
    public static boolean isLocal(SocketAddress peer, SocketAddress self) {
        InetAddress ip = ipOf(peer);
        return ip != null && (ip.isLoopbackAddress() || ip.equals(ipOf(self)));
    }
}
