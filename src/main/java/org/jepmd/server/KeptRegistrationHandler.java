package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * A {@link KeptRegistration} in a channel's pipeline: it replaces the whole request pipeline, so a
 * registered node costs little more than its channel (on epoll the channel itself goes: see
 * {@link RegistrationWatcher}).
 */
final class KeptRegistrationHandler extends ChannelInboundHandlerAdapter {
    private final KeptRegistration kept;

    KeptRegistrationHandler(KeptRegistration kept) {
        this.kept = kept;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                kept.unexpectedData(bytes.readableBytes(), bytes);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ChannelInputShutdownEvent.INSTANCE) {
            ctx.close(); // the node closed its side: the registration ends
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        kept.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        kept.failed(cause);
    }
}
