package org.jepmd.protocol;

/**
 * Constants of the EPMD protocol ({@code erts/epmd/src/epmd.h}, {@code epmd_int.h}).
 */
public final class Epmd {
    /** The well-known epmd port ({@code EPMD_PORT_NO}). */
    public static final int DEFAULT_PORT = 4369;
    /** Longest node name or Extra field in bytes ({@code MAXSYMLEN} = 255 * 4). */
    public static final int MAX_SYMBOL_BYTES = 1020;
    /** Most code points in a registered node name. */
    public static final int MAX_NAME_CODE_POINTS = 255;
    /** Most code points in a PORT_PLEASE2 name: epmd's off-by-one UTF-8 check (docs/protocol.md, PORT_PLEASE2_REQ). */
    public static final int MAX_LOOKUP_CODE_POINTS = 254;
    /** Size of epmd's input buffer ({@code INBUF_SIZE} = 3 * MAXSYMLEN). */
    public static final int INBUF_SIZE = 3 * MAX_SYMBOL_BYTES;
    /** Largest accepted request length: {@code Length + 2 < INBUF_SIZE} (docs/protocol.md, Framing). */
    public static final int MAX_REQUEST_LENGTH = INBUF_SIZE - 3;
    /** Most bytes epmd reads at once while the length is still unknown ({@code INBUF_SIZE - 1}). */
    public static final int FIRST_READ_SIZE = INBUF_SIZE - 1;
    /** Default {@code -packet_timeout} in seconds ({@code CLOSE_TIMEOUT}). */
    public static final int DEFAULT_PACKET_TIMEOUT_SECONDS = 60;
    /** Unused-name list length before the oldest entry is recycled ({@code MAX_UNREG_COUNT}). */
    public static final int MAX_UNREG_COUNT = 1000;
    /** The same with any {@code -d} ({@code DEBUG_MAX_UNREG_COUNT}). */
    public static final int DEBUG_MAX_UNREG_COUNT = 5;
    /** Most listening sockets ({@code MAX_LISTEN_SOCKETS}). */
    public static final int MAX_LISTEN_SOCKETS = 16;
    /** Creation sent in a refused ALIVE2 reply. */
    public static final int REFUSED_CREATION = 99;

    private Epmd() {
    }
}
