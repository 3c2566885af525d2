package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * First in the pipeline of a connection whose first read {@link FastLookup} made and did not
 * answer: hands that read (bytes, or the read's failure) to the rest of the pipeline right after
 * the connection becomes active, before the channel reads its socket, then leaves the pipeline.
 */
final class FirstRead extends ChannelInboundHandlerAdapter {
    /** A {@link ByteBuf}, or the {@link Throwable} the read failed with; null once handed on. */
    private Object read;

    FirstRead(Object read) {
        this.read = read;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
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
    }
}
