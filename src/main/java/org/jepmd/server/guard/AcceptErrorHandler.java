package org.jepmd.server.guard;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.jepmd.server.EpmdLog;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * Keeps a listening socket alive through failed accepts (EMFILE, ENFILE, ENOBUFS): epmd before the
 * 2026 fix exits on them (docs/protocol.md, Connections). A burst is a run of failures with less than {@link #QUIET}
 * between them; its first failure is logged, the rest are counted. After each failure accepting
 * pauses for a short while (pending connections wait in the kernel's backlog) so the loop does not
 * spin, and resumes by itself. The first accept that succeeds in a burst logs how many failed; a
 * single descriptor freed for a moment inside a burst does not start a new one.
 *
 * <p>Sits in the listening channel's pipeline in front of Netty's acceptor and consumes accept
 * errors itself; Netty's own handling (a 1 s pause plus an unhandled-exception warning per failure)
 * then never runs. One instance per listening socket; the sockets of one SO_REUSEPORT group
 * (one per event loop, on their own threads) share one {@link Bursts}, so a burst is logged once.
 */
public final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {
    /**
     * A user event a listening socket that may serve connections without a child channel
     * (io.netty.channel.epoll.AcceptHookEpollServerSocketChannel) fires before the first connection it
     * accepts at each wake-up: accepting works again.
     */
    public static final Object ACCEPTED = new Object() {
        @Override
        public String toString() {
            return "ACCEPTED";
        }
    };

    /** Failures closer together than this belong to one burst. */
    static final long QUIET = TimeUnit.SECONDS.toNanos(1);

    private final long pauseNanos;
    private final Runnable onFailure;
    private final Bursts bursts;

    /** The burst state of listening sockets that log as one. */
    public static final class Bursts {
        private boolean inBurst;
        /** A burst whose end is not logged yet: read without the lock by {@link #accepted()}, at every accept. */
        private volatile boolean recoveryPending;
        private long lastFailure;
        private long failuresInBurst;

        /** Counts a failure at {@code now}, logged if it starts a burst (under the lock: log lines in order). */
        synchronized void failed(long now, Throwable cause) {
            if (!inBurst || now - lastFailure >= QUIET) {
                inBurst = true;
                recoveryPending = true;
                failuresInBurst = 0;
                LOG.warn("error in accept: {} (still running; accepting again when descriptors free up)",
                        EpmdLog.strerror(cause.getMessage()));
            }
            failuresInBurst++;
            lastFailure = now;
        }

        /** Logs the end of a burst at the first accept after it. */
        void accepted() {
            if (recoveryPending) {
                acceptedInBurst();
            }
        }

        private synchronized void acceptedInBurst() {
            if (recoveryPending) {
                recoveryPending = false;
                LOG.warn("accepting connections again after {} failed accepts", failuresInBurst);
            }
        }
    }

    /**
     * @param pause     how long accepting pauses after a failure
     * @param onFailure told of every failed accept (metrics); may be a no-op
     */
    public AcceptErrorHandler(Duration pause, Runnable onFailure) {
        this(pause, onFailure, new Bursts());
    }

    /** A handler that logs bursts together with the other handlers of {@code bursts}. */
    public AcceptErrorHandler(Duration pause, Runnable onFailure, Bursts bursts) {
        this.pauseNanos = pause.toNanos();
        this.onFailure = onFailure;
        this.bursts = bursts;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object child) {
        bursts.accepted();
        ctx.fireChannelRead(child);
    }

    /** A connection the listener may serve without a child channel was accepted (the epoll fast path). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ACCEPTED) {
            bursts.accepted();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        onFailure.run();
        bursts.failed(System.nanoTime(), cause);
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                if (ctx.channel().isOpen()) {
                    ctx.channel().config().setAutoRead(true);
                }
            }, pauseNanos, TimeUnit.NANOSECONDS);
        }
    }
}
