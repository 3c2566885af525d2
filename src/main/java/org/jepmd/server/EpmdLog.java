package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * epmd's debug levels on SLF4J (docs/protocol.md, Log lines): level 0 (always shown) is WARN, level 1 ({@code -d}) is
 * INFO, level 2 ({@code -d -d}) is DEBUG and level 3 is TRACE. The messages are epmd's own words.
 */
public final class EpmdLog {
    /** The name of the logger that carries epmd's messages. */
    public static final String NAME = "jepmd";
    /** The logger every protocol message goes to. */
    public static final Logger LOG = LoggerFactory.getLogger(NAME);

    private static final int DUMP_LIMIT = 1024;
    private static final int ROW = 16;

    private EpmdLog() {
    }

    /**
     * The text of an errno, as epmd's {@code strerror()} gives it, out of a Netty or JDK exception
     * message: {@code "accept(..) failed: Too many open files"} → {@code "Too many open files"}.
     */
    public static String strerror(String message) {
        if (message == null) {
            return "unknown error";
        }
        int colon = message.lastIndexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }

    /**
     * epmd's hex dump of a packet at level 2: {@code got N bytes} then rows of
     * {@code ***** %08x  xx xx ...  |ascii|}, at most 1024 bytes.
     */
    public static void dump(String what, ByteBuf buf) {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        int length = buf.readableBytes();
        StringBuilder text = new StringBuilder(what).append(' ').append(length).append(" bytes");
        int shown = Math.min(length, DUMP_LIMIT);
        for (int row = 0; row < shown; row += ROW) {
            text.append("\r\n***** ").append(String.format("%08x", row));
            for (int i = row; i < row + ROW; i++) {
                if (i % (ROW / 2) == 0) {
                    text.append(' ');
                }
                text.append(i < shown ? String.format(" %02x", buf.getUnsignedByte(buf.readerIndex() + i)) : "   ");
            }
            text.append("  |");
            for (int i = row; i < row + ROW && i < shown; i++) {
                int c = buf.getUnsignedByte(buf.readerIndex() + i);
                text.append(c >= 32 && c <= 126 ? (char) c : '.');
            }
            text.append('|');
        }
        if (length > DUMP_LIMIT) {
            text.append("\r\n***** ......and more");
        }
        LOG.debug("{}", text);
    }
}
