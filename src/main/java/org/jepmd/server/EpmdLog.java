package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import org.jepmd.registry.NodeRegistry;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.UnusedNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

import java.time.Duration;
import java.util.List;

/**
 * epmd's debug levels on SLF4J (docs/protocol.md, Log lines): level 0 (always shown) is WARN, level 1 ({@code -d}) is
 * INFO, level 2 ({@code -d -d}) is DEBUG and level 3 is TRACE. The messages are epmd's own words.
 */
public final class EpmdLog {
    /** The name of the logger that carries epmd's messages. */
    public static final String NAME = "jepmd";
    /** The logger every protocol message goes to. */
    public static final Logger LOG = LoggerFactory.getLogger(NAME);
    /**
     * Lines epmd writes with a bare {@code fprintf(stderr, ...)}, without its {@code epmd: <ctime>: }
     * prefix ({@code print_names()}); {@code org.jepmd.logging.EpmdLayout} writes them as they are.
     */
    public static final Marker RAW = MarkerFactory.getMarker("EPMD_RAW");

    private static final int DUMP_LIMIT = 1024;
    private static volatile long lastClockRead = System.nanoTime();
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
     * epmd's {@code current_time()} at level 3: {@code time in seconds: N}, wherever epmd reads the
     * clock (each wake-up of its select() loop, each accept, each request packet read, each new
     * name's creation).
     */
    public static void time() {
        if (LOG.isTraceEnabled()) {
            lastClockRead = System.nanoTime();
            LOG.trace("time in seconds: {}", System.currentTimeMillis() / 1000);
        }
    }

    /**
     * epmd's select() also wakes up after {@code idle} without any event (5 s, or 1 s with a packet
     * timeout under 5 s) and reads the clock then: {@link #time()} if nothing read it for that long.
     */
    static void timeIfIdle(Duration idle) {
        if (LOG.isTraceEnabled() && System.nanoTime() - lastClockRead >= idle.toNanos()) {
            time();
        }
    }

    /**
     * epmd's {@code print_names()} at level 3, after each registration and unregistration: the live
     * names newest first, then the unused names oldest first, with their counts.
     */
    public static void names(NodeRegistry registry) {
        if (!LOG.isTraceEnabled()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        int live = 0;
        for (RegisteredNode node : registry.newestFirst()) {
            text.append("*****     active name     \"").append(node.name()).append('#').append(node.creation())
                    .append("\" at port ").append(node.info().port()).append(", fd = ").append(node.fd()).append("\r\n");
            live++;
        }
        text.append("*****     reg calculated count  : ").append(live).append("\r\n");
        List<UnusedNode> unused = registry.unused();
        for (UnusedNode node : unused) {
            text.append("*****     old/unused name \"").append(node.name()).append('#').append(node.creation())
                    .append("\"\r\n");
        }
        text.append("*****     unreg counter         : ").append(unused.size()).append("\r\n");
        text.append("*****     unreg calculated count: ").append(unused.size());
        LOG.trace(RAW, "{}", text);
    }

    /**
     * epmd's hex dump of a packet read or written at level 2 ({@code dbg_print_buf()}): {@code got N
     * bytes} (for replies too, as epmd words it) then rows of {@code ***** %08x  xx xx ...  |ascii|},
     * at most 1024 bytes.
     */
    public static void dump(ByteBuf buf) {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        int length = buf.readableBytes();
        StringBuilder text = new StringBuilder("got ").append(length).append(" bytes");
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
