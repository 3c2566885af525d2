package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Logs every read and every reply as epmd's hex dump (level 2, {@code -d -d}); only in the
 * pipeline when that level is on.
 */
@Sharable
final class PacketDumpHandler extends ChannelDuplexHandler {
    static final PacketDumpHandler INSTANCE = new PacketDumpHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            EpmdLog.dump("got", buf);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            EpmdLog.dump("sent", buf);
        }
        ctx.write(msg, promise);
    }
}
