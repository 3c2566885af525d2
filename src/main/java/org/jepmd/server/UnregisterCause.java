package org.jepmd.server;

/** Why a registration ended. */
public enum UnregisterCause {
    /** the node closed its registration connection, or it failed */
    CONNECTION_CLOSED("connection_closed"),
    /** the node sent bytes on its registration connection (docs/protocol.md, ALIVE2_REQ) */
    UNEXPECTED_DATA("unexpected_data"),
    /** a STOP_REQ named it */
    STOPPED("stopped"),
    /** the ALIVE2 reply could not be written */
    REPLY_FAILED("reply_failed");

    private final String label;

    UnregisterCause(String label) {
        this.label = label;
    }

    /** A short snake_case label for metrics and audit lines. */
    public String label() {
        return label;
    }
}
