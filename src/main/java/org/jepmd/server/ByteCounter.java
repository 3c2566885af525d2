package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Reports every byte read from and handed to a connection to {@link EpmdEvents#bytesIn(long)} and
 * {@link EpmdEvents#bytesOut(long)}; first in the pipeline, and only there when someone observes.
 */
@Sharable
final class ByteCounter extends ChannelDuplexHandler {
    private final EpmdEvents events;

    ByteCounter(EpmdEvents events) {
        this.events = events;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            events.bytesIn(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            events.bytesOut(buf.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
