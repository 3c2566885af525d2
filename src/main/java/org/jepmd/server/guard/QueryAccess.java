package org.jepmd.server.guard;

import org.jepmd.net.LocalPeers;

import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code -allow_query CIDR,...}: which peers may ask NAMES and PORT_PLEASE2. Off (everyone may, as
 * in epmd, docs/protocol.md, Local peers) unless networks are listed; loopback peers
 * ({@link LocalPeers#isLoopback}) are always allowed.
 *
 * @param networks the allowed networks; empty means no restriction
 */
public record QueryAccess(List<Cidr> networks) {
    /** No restriction: epmd's behaviour. */
    public static final QueryAccess OPEN = new QueryAccess(List.of());

    public QueryAccess {
        networks = List.copyOf(networks);
    }

    /** Parses a comma- or space-separated list of networks, e.g. {@code 10.0.0.0/8,192.168.1.7}. */
    public static QueryAccess parse(String list) {
        List<Cidr> parsed = new ArrayList<>();
        for (String token : list.split("[,\\s]+")) {
            if (!token.isEmpty()) {
                parsed.add(Cidr.parse(token));
            }
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("-allow_query needs at least one network");
        }
        return new QueryAccess(parsed);
    }

    /** True if {@code peer} may send NAMES and PORT_PLEASE2. */
    public boolean allows(SocketAddress peer) {
        if (networks.isEmpty()) {
            return true;
        }
        if (LocalPeers.isLoopback(peer)) {
            return true;
        }
        InetAddress address = LocalPeers.ipOf(peer);
        if (address == null) {
            return false;
        }
        for (Cidr network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
