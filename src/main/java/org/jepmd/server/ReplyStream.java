package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Writes a reply made of pieces, then says whether it all left (docs/protocol.md, Replies and writes). Pieces are pulled
 * one at a time, so a NAMES reply over 100,000 nodes never sits in memory whole: when the socket's buffer is full the
 * stream waits for {@link #resume()} instead of queueing. With {@code -delay_write} every piece waits that long
 * first, as epmd sleeps before each {@code write()}.
 */
final class ReplyStream {

    /** Supplies the reply's pieces. */
    interface Source {
        /** The next piece, or null when the reply is complete. */
        ByteBuf next(ByteBufAllocator alloc);

        /** Releases whatever the source still holds: the reply will not be completed. */
        default void discard() {
        }
    }

    /** Hears once how the reply ended. */
    interface Done {
        /** @param complete every piece was written; false if the peer went away or a write failed */
        void written(boolean complete);
    }

    private final ChannelHandlerContext ctx;
    private final Source source;
    private final long delayNanos;
    private final Done done;
    private boolean waitingForWritability;
    private boolean finished;
    /** The next piece, fetched once the previous delayed write completed; written after the delay. */
    private ByteBuf pending;

    ReplyStream(ChannelHandlerContext ctx, Source source, Duration delay, Done done) {
        this.ctx = ctx;
        this.source = source;
        this.delayNanos = delay.toNanos();
        this.done = done;
    }

    /** Starts writing; call on the channel's event loop. */
    void start() {
        if (delayNanos > 0) {
            ctx.executor().schedule(this::pump, delayNanos, TimeUnit.NANOSECONDS);
        } else {
            pump();
        }
    }

    /** Continues after the channel became writable again. */
    void resume() {
        if (waitingForWritability && ctx.channel().isWritable()) {
            waitingForWritability = false;
            pump();
        }
    }

    private void pump() {
        while (!finished) {
            ByteBuf piece = pending;
            pending = null;
            if (!ctx.channel().isActive()) {
                abandon(piece);
                return;
            }
            if (piece == null) {
                piece = fetch();
            }
            if (finished) {
                return;
            }
            if (piece == null) {
                finish();
                return;
            }
            ChannelFuture written = ctx.writeAndFlush(piece);
            written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (delayNanos > 0) {
                written.addListener(f -> {
                    if (f.isSuccess()) {
                        afterDelayedWrite();
                    } else {
                        abandon(null);
                    }
                });
                return;
            }
            if (!ctx.channel().isWritable()) {
                waitingForWritability = true;
                return;
            }
        }
    }

    /**
     * epmd sleeps before each write and closes right after the last one: only a following piece
     * waits for the delay, the close does not.
     */
    private void afterDelayedWrite() {
        pending = fetch();
        if (finished) {
            return;
        }
        if (pending == null) {
            finish();
        } else {
            ctx.executor().schedule(this::pump, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The source's next piece; when the direct-memory budget cannot hold it, the reply is abandoned
     * and the connection's handler hears of it (it closes the connection).
     */
    private ByteBuf fetch() {
        try {
            return source.next(ctx.alloc());
        } catch (DirectMemoryBudget.Exhausted e) {
            abandon(null);
            ctx.pipeline().fireExceptionCaught(e);
            return null;
        }
    }

    /** The peer went away: nothing more is written, and nothing fetched or queued may leak. */
    private void abandon(ByteBuf fetched) {
        if (fetched != null) {
            fetched.release();
        }
        if (!finished) {
            finished = true;
            source.discard();
            done.written(false);
        }
    }

    private void finish() {
        finished = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> done.written(f.isSuccess()));
    }
}
