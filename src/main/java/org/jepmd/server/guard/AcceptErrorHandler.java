package org.jepmd.server.guard;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * Keeps a listening socket alive through failed accepts (EMFILE, ENFILE, ENOBUFS): epmd before the
 * 2026 fix exits on them (spec 1.6). The first failure of a burst is logged, the rest are counted;
 * accepting pauses for a short while (pending connections wait in the kernel's backlog) so the loop
 * does not spin, and resumes by itself. The first accept that succeeds again ends the burst and logs
 * how many failed.
 *
 * <p>Sits in the listening channel's pipeline in front of Netty's acceptor and consumes accept
 * errors itself; Netty's own handling (a 1 s pause plus an unhandled-exception warning per failure)
 * then never runs. One instance per listening socket.
 */
public final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {
    private final long pauseNanos;
    private final Runnable onFailure;
    private long failuresInBurst;

    /**
     * @param pause     how long accepting pauses after a failure
     * @param onFailure told of every failed accept (metrics); may be a no-op
     */
    public AcceptErrorHandler(Duration pause, Runnable onFailure) {
        this.pauseNanos = pause.toNanos();
        this.onFailure = onFailure;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object child) {
        if (failuresInBurst > 0) {
            LOG.warn("accepting connections again after {} failed accepts", failuresInBurst);
            failuresInBurst = 0;
        }
        ctx.fireChannelRead(child);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        onFailure.run();
        if (failuresInBurst++ == 0) {
            LOG.warn("error in accept: {} (still running; accepting again when descriptors free up)",
                    strerror(cause.getMessage()));
        }
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                if (ctx.channel().isOpen()) {
                    ctx.channel().config().setAutoRead(true);
                }
            }, pauseNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** {@code "accept(..) failed: Too many open files"} → {@code "Too many open files"}. */
    private static String strerror(String message) {
        if (message == null) {
            return "unknown error";
        }
        int colon = message.lastIndexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }
}
