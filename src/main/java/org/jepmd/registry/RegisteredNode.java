package org.jepmd.registry;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;

import java.net.SocketAddress;

/**
 * A live registration: what the node sent, the creation counter it was given, and the connection
 * that owns it. The owner is opaque to the registry; {@code fd} is the descriptor number DUMP shows.
 *
 * @param info          the ALIVE2 fields
 * @param creation      the unsigned 32-bit creation counter ({@code cr_counter}, docs/protocol.md, Creation numbers)
 * @param owner         the registration connection, compared by identity
 * @param fd            the connection's descriptor number, for DUMP
 * @param peer          the registering connection's peer, for operators
 * @param registeredAt  wall-clock milliseconds of the registration
 */
public record RegisteredNode(NodeInfo info, long creation, Object owner, int fd, SocketAddress peer, long registeredAt) {

    /** The node's name. */
    public NodeName name() {
        return info.name();
    }

    /**
     * The creation as sent to the node: the full 32-bit counter in ALIVE2_X_RESP (HighestVersion >= 6),
     * else {@code counter % 3 + 1} in the 16-bit ALIVE2_RESP.
     */
    public long creationFor(int highestVersion) {
        return highestVersion >= 6 ? creation : creation % 3 + 1;
    }
}
