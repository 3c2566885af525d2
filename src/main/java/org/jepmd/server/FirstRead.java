package org.jepmd.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * First in the pipeline of a connection whose first read {@link FastLookup} made and did not
 * answer: hands that read (bytes, or the read's failure) to the rest of the pipeline right after
 * the connection becomes active, before the channel reads its socket, then leaves the pipeline.
 * Meanwhile it tells the connection's handler when the connection was accepted ({@link #sinceAccept()})
 * and whether its opening was reported already ({@link #announced()}).
 */
final class FirstRead extends ChannelInboundHandlerAdapter {
    /** A {@link io.netty.buffer.ByteBuf}, or the {@link Throwable} the read failed with; null once handed on or for none. */
    private Object read;
    private final long acceptedAt;
    /** Reports the close of a connection whose opening was reported before its channel existed; null if not. */
    private final Runnable closedUnseen;
    private final boolean local;
    private boolean active;

    /**
     * @param read         the bytes read, the read's failure, or null (nothing read: EOF waits for the channel's own read)
     * @param acceptedAt   {@link System#nanoTime()} at accept, where the packet timeout starts
     * @param closedUnseen null, or: the opening was reported already (the handler does not report it
     *                     again) and this reports the close if the channel never becomes active
     * @param local        when announced: whether the peer is local, as reported then
     */
    FirstRead(Object read, long acceptedAt, Runnable closedUnseen, boolean local) {
        this.read = read;
        this.acceptedAt = acceptedAt;
        this.closedUnseen = closedUnseen;
        this.local = local;
    }

    /** How long ago the connection was accepted: the packet timeout has run that long already. */
    long sinceAccept() {
        return System.nanoTime() - acceptedAt;
    }

    /** True if the connection's opening was reported before its channel existed. */
    boolean announced() {
        return closedUnseen != null;
    }

    /** When {@link #announced()}: whether the peer is local, as reported then (the policy is asked once). */
    boolean local() {
        return local;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        active = true; // the connection's handler reports its close from now on
        ctx.fireChannelActive();
        Object first = read;
        read = null;
        if (first instanceof Throwable failure) {
            ctx.fireExceptionCaught(failure);
        } else if (first != null) {
            ctx.fireChannelRead(first);
            ctx.fireChannelReadComplete();
        }
        if (ctx.pipeline().context(this) != null) {
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // a connection the guard turned away is closed before it is active: the bytes are dropped
        ReferenceCountUtil.release(read);
        read = null;
        if (!active && closedUnseen != null) {
            closedUnseen.run();
        }
    }
}
