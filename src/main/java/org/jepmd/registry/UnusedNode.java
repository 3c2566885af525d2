package org.jepmd.registry;

import org.jepmd.protocol.NodeName;

/**
 * A name that was registered and is no longer (epmd's "old/unused" list, docs/protocol.md, Unused names): kept for
 * creation continuity and for DUMP.
 *
 * @param name      the name
 * @param port      the port it had
 * @param fd        the descriptor number it had
 * @param creation  its last creation counter
 */
public record UnusedNode(NodeName name, int port, int fd, long creation) {
}
