package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-piece replies with {@code -delay_write} (docs/protocol.md, Replies and writes) on an
 * {@link EmbeddedChannel} with a virtual clock.
 */
class ReplyStreamTest {

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static String take(EmbeddedChannel channel) {
        ByteBuf out = channel.readOutbound();
        if (out == null) {
            return null;
        }
        try {
            return new String(ByteBufUtil.getBytes(out), StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }

    @Test
    void eachPieceWaitsForTheDelayAndTheCloseFollowsTheLastPiece() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ReplyStream stream = new ReplyStream(channel.pipeline().firstContext(),
                ReplySources.of(List.of(ascii("NOEXIST"), ascii("STOPPED"))), Duration.ofSeconds(1), complete -> channel.close());
        stream.start();
        channel.runPendingTasks();
        assertNull(take(channel), "nothing before the first delay");
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("NOEXIST", take(channel));
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        assertEquals("STOPPED", take(channel));
        assertFalse(channel.isOpen(), "closed right after the last write, without another delay");
        take(channel); // the empty flush marker, if any
        assertFalse(channel.finish());
    }

    @Test
    void piecesNotYetWrittenAreReleasedWhenThePeerGoesAway() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ByteBuf first = ascii("one");
        ByteBuf second = ascii("two");
        ByteBuf third = ascii("three");
        ReplyStream stream = new ReplyStream(channel.pipeline().firstContext(),
                ReplySources.of(List.of(first, second, third)), Duration.ofSeconds(1), complete -> channel.close());
        stream.start();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("one", take(channel));
        // the peer goes away (EmbeddedChannel.close() would also cancel the scheduled tasks; a real loop does not)
        channel.unsafe().close(channel.voidPromise());
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(0, second.refCnt(), "the piece fetched for the next write is released");
        assertEquals(0, third.refCnt(), "the pieces still queued are released");
        assertFalse(channel.finish());
    }
}
