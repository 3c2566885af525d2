package org.jepmd.registry;

/**
 * The outcome of {@link NodeRegistry#register}.
 */
public sealed interface Registration {

    /** The node is registered. */
    record Registered(RegisteredNode node) implements Registration {
    }

    /**
     * The registration was refused; the node gets result 1 and creation 99.
     *
     * @param reason   why
     * @param message  epmd's log line for it (docs/protocol.md, Log lines)
     * @param holder   the live registration holding the name, for {@link RefusalReason#NAME_OCCUPIED}; else null
     */
    record Refused(RefusalReason reason, String message, RegisteredNode holder) implements Registration {
    }
}
