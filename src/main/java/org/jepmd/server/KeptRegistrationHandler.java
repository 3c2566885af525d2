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
    /** False while the channel only waits to leave its loop for a watcher, whose close reports it instead. */
    private final boolean reportsClose;

    KeptRegistrationHandler(KeptRegistration kept) {
        this(kept, true);
    }

    private KeptRegistrationHandler(KeptRegistration kept, boolean reportsClose) {
        this.kept = kept;
        this.reportsClose = reportsClose;
    }

    /**
     * The channel's last handler between the ALIVE2 reply and its deregistration for a
     * {@link RegistrationWatcher}: what it still reads ends the registration all the same.
     */
    static KeptRegistrationHandler untilWatched(KeptRegistration kept) {
        return new KeptRegistrationHandler(kept, false);
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
        if (reportsClose) {
            kept.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        kept.failed(cause);
    }
}
