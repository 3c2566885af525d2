package org.jepmd.server;

import org.jepmd.net.LocalPeers;

import java.net.SocketAddress;

/**
 * Decides once per connection whether the peer is local, which gates ALIVE2, DUMP, KILL and STOP
 * (docs/protocol.md, Local peers, {@code conn_local_peer_check()}).
 */
@FunctionalInterface
public interface LocalPeerPolicy {

    /**
     * @param remote the peer's address
     * @param local  the connection's own address
     * @return true if the peer counts as local
     */
    boolean isLocal(SocketAddress remote, SocketAddress local);

    /** epmd's rule, {@link LocalPeers#isLocal}. */
    LocalPeerPolicy EPMD = LocalPeers::isLocal;
}
