package org.jepmd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Encodes epmd's replies byte for byte (docs/protocol.md, Requests). Each method returns one buffer that is
 * written with one write, as epmd does with one {@code write()} per logical piece.
 */
public final class EpmdReplies {
    /** The first line of JEPMD_INFO_RESP, by which a client knows the daemon is jepmd. */
    public static final String JEPMD_INFO_MAGIC = "jepmd info 1";
    private static final byte[] KILL_OK = ascii("OK");
    private static final byte[] KILL_NO = ascii("NO");
    private static final byte[] STOPPED = ascii("STOPPED");
    private static final byte[] NOEXIST = ascii("NOEXIST");
    private static final byte[] NAMES_PREFIX = ascii("name ");
    private static final byte[] NAMES_PORT = ascii(" at port ");
    private static final byte[] DUMP_ACTIVE = ascii("active name     <");
    private static final byte[] DUMP_UNUSED = ascii("old/unused name <");

    private EpmdReplies() {
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * ALIVE2_X_RESP ({@code v}, result, 32-bit creation) when the request's HighestVersion is at
     * least 6, else ALIVE2_RESP ({@code y}, result, 16-bit creation). The caller passes the creation
     * as it should be sent (see {@code RegisteredNode.creationFor}).
     */
    public static ByteBuf alive2(ByteBufAllocator alloc, int highestVersion, boolean ok, long creation) {
        if (highestVersion >= 6) {
            return alloc.buffer(6).writeByte(EpmdTag.ALIVE2_X_RESP.value()).writeByte(ok ? 0 : 1)
                    .writeInt((int) creation);
        }
        return alloc.buffer(4).writeByte(EpmdTag.ALIVE2_RESP.value()).writeByte(ok ? 0 : 1)
                .writeShort((int) creation);
    }

    /** The refusal of an ALIVE2_REQ: result 1, creation 99. */
    public static ByteBuf alive2Refused(ByteBufAllocator alloc, int highestVersion) {
        return alive2(alloc, highestVersion, false, Epmd.REFUSED_CREATION);
    }

    /** PORT2_RESP for a live node, Extra length always present (docs/protocol.md, PORT_PLEASE2_REQ). */
    public static ByteBuf port2Found(ByteBufAllocator alloc, NodeInfo node) {
        NodeName name = node.name();
        ByteBuf out = alloc.buffer(14 + name.length() + node.extraLength());
        out.writeByte(EpmdTag.PORT2_RESP.value()).writeByte(0)
                .writeShort(node.port())
                .writeByte(node.nodeType())
                .writeByte(node.protocol())
                .writeShort(node.highestVersion())
                .writeShort(node.lowestVersion())
                .writeShort(name.length());
        writeName(out, name);
        out.writeShort(node.extraLength());
        writeExtra(out, node);
        return out;
    }

    /** PORT2_RESP for an unknown name: {@code w, 1}. */
    public static ByteBuf port2NotFound(ByteBufAllocator alloc) {
        return alloc.buffer(2).writeByte(EpmdTag.PORT2_RESP.value()).writeByte(1);
    }

    /** The 4-byte header of NAMES and DUMP replies: the configured port (docs/protocol.md, NAMES_REQ). */
    public static ByteBuf portHeader(ByteBufAllocator alloc, int configuredPort) {
        return alloc.buffer(4).writeInt(configuredPort);
    }

    /** Appends {@code name <name> at port <port>\n} (docs/protocol.md, NAMES_REQ). */
    public static void writeNamesLine(ByteBuf out, NodeName name, int port) {
        out.writeBytes(NAMES_PREFIX);
        writeName(out, name);
        out.writeBytes(NAMES_PORT);
        writeDecimal(out, port);
        out.writeByte('\n');
    }

    /** Appends {@code active name     <name> at port P, fd = F\n\0} (docs/protocol.md, DUMP_REQ). */
    public static void writeDumpActiveLine(ByteBuf out, NodeName name, int port, int fd) {
        out.writeBytes(DUMP_ACTIVE);
        writeName(out, name);
        out.writeCharSequence("> at port " + port + ", fd = " + fd + "\n", StandardCharsets.US_ASCII);
        out.writeByte(0);
    }

    /** Appends {@code old/unused name <name>, port = P, fd = F \n\0} (docs/protocol.md, DUMP_REQ). */
    public static void writeDumpUnusedLine(ByteBuf out, NodeName name, int port, int fd) {
        out.writeBytes(DUMP_UNUSED);
        writeName(out, name);
        out.writeCharSequence(">, port = " + port + ", fd = " + fd + " \n", StandardCharsets.US_ASCII);
        out.writeByte(0);
    }

    /** KILL_REQ reply: {@code OK} when the daemon stops, {@code NO} while nodes are live. */
    public static ByteBuf kill(ByteBufAllocator alloc, boolean ok) {
        return alloc.buffer(2).writeBytes(ok ? KILL_OK : KILL_NO);
    }

    /** STOP_REQ reply {@code STOPPED}. */
    public static ByteBuf stopped(ByteBufAllocator alloc) {
        return alloc.buffer(7).writeBytes(STOPPED);
    }

    /** STOP_REQ reply {@code NOEXIST}, always followed by {@link #stopped} (docs/protocol.md, STOP_REQ). */
    public static ByteBuf noExist(ByteBufAllocator alloc) {
        return alloc.buffer(7).writeBytes(NOEXIST);
    }

    /**
     * JEPMD_INFO_RESP: the line {@value #JEPMD_INFO_MAGIC}, then one {@code key: value} line per
     * field, in order, all US-ASCII (non-ASCII characters become {@code ?}); the daemon then closes.
     */
    public static ByteBuf jepmdInfo(ByteBufAllocator alloc, Map<String, String> fields) {
        StringBuilder text = new StringBuilder(JEPMD_INFO_MAGIC).append('\n');
        fields.forEach((key, value) -> text.append(key).append(": ").append(value.replace('\n', ' ')).append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    private static void writeName(ByteBuf out, NodeName name) {
        out.writeBytes(name.raw());
    }

    private static void writeExtra(ByteBuf out, NodeInfo node) {
        out.writeBytes(node.rawExtra());
    }

    private static void writeDecimal(ByteBuf out, int value) {
        out.writeCharSequence(Integer.toString(value), StandardCharsets.US_ASCII);
    }
}
