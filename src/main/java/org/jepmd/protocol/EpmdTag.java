package org.jepmd.protocol;

/**
 * The first byte of every EPMD request and of the binary replies.
 */
public enum EpmdTag {
    ALIVE2_REQ('x'),
    ALIVE2_RESP('y'),
    ALIVE2_X_RESP('v'),
    PORT_PLEASE2_REQ('z'),
    PORT2_RESP('w'),
    NAMES_REQ('n'),
    DUMP_REQ('d'),
    KILL_REQ('k'),
    STOP_REQ('s'),
    /**
     * jepmd's own request, not epmd's: who is this daemon (docs/protocol.md). epmd's do_request()
     * logs "got garbage " for it and closes unanswered, so a client can tell the two apart.
     */
    JEPMD_INFO_REQ('i');

    private static final EpmdTag[] BY_BYTE = new EpmdTag[256];

    static {
        for (EpmdTag tag : values()) {
            BY_BYTE[tag.value] = tag;
        }
    }

    private final int value;

    EpmdTag(char value) {
        this.value = value;
    }

    /** The tag's byte on the wire. */
    public int value() {
        return value;
    }

    /** The tag with this byte value, or {@code null} for an unknown byte. */
    public static EpmdTag of(int value) {
        return BY_BYTE[value & 0xFF];
    }
}
