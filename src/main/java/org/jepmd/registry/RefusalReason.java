package org.jepmd.registry;

/**
 * Why an ALIVE2_REQ got an error reply ({@code node_reg2()}, docs/protocol.md, ALIVE2_REQ).
 */
public enum RefusalReason {
    NAME_TOO_LONG("name_too_long"),
    INVALID_NAME_ENCODING("invalid_name_encoding"),
    EXTRA_TOO_LONG("extra_too_long"),
    NAME_OCCUPIED("name_occupied");

    private final String label;

    RefusalReason(String label) {
        this.label = label;
    }

    /** A short snake_case label for metrics and audit lines. */
    public String label() {
        return label;
    }
}
