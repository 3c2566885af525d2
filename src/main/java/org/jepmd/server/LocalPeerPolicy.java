package org.jepmd.server;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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

    /**
     * epmd's rule: {@code ::1}, any IPv4 address in 127.0.0.0/8, or a peer whose address equals the
     * connection's local address (the host talking to one of its own addresses).
     */
    LocalPeerPolicy EPMD = (remote, local) -> {
        if (!(remote instanceof InetSocketAddress) || ((InetSocketAddress) remote).getAddress() == null) {
            return false;
        }
        InetAddress peer = ((InetSocketAddress) remote).getAddress();
        if (peer instanceof Inet6Address && peer.isLoopbackAddress()) {
            return true;
        }
        if (peer instanceof Inet4Address && (peer.getAddress()[0] & 0xFF) == 127) {
            return true;
        }
        return local instanceof InetSocketAddress && peer.equals(((InetSocketAddress) local).getAddress());
    };
}
