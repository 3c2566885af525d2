package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.AttributeKey;
import org.jepmd.protocol.Epmd;
import org.jepmd.protocol.EpmdFrameDecoder;

import java.io.IOException;

/**
 * Logs every read and every reply as epmd's hex dump (level 2, {@code -d -d}), and at level 3 the
 * clock readings epmd's select() loop and {@code do_read()} make around each read; only in the
 * pipeline from level 2 on. A kept registration's stray bytes are dumped by the connection handler,
 * after its message, as epmd does.
 */
@Sharable
final class PacketDumpHandler extends ChannelDuplexHandler {
    static final PacketDumpHandler INSTANCE = new PacketDumpHandler();
    /** The request's bytes read so far (epmd's connection buffer). */
    private static final AttributeKey<byte[]> READ_SO_FAR = AttributeKey.valueOf("jepmd.readSoFar");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        EpmdLog.time(); // the select() loop woke up for this read
        EpmdFrameDecoder framer = ctx.pipeline().get(EpmdFrameDecoder.class);
        if (framer == null) {
            ctx.fireChannelRead(buf); // a kept registration
            return;
        }
        dumpAsEpmd(ctx, buf);
        ctx.fireChannelRead(buf);
        if (!framer.isComplete() && ctx.channel().isActive()) {
            EpmdLog.time(); // do_read() notes activity after part of a packet (a whole one: the handler)
        }
    }

    /**
     * epmd's {@code do_read()} dumps as many bytes as it just read, but from the start of the
     * connection's buffer: the second read of a packet sent in pieces shows the packet's first bytes.
     */
    private static void dumpAsEpmd(ChannelHandlerContext ctx, ByteBuf read) {
        byte[] before = ctx.channel().attr(READ_SO_FAR).get();
        int length = read.readableBytes();
        if (before == null) {
            EpmdLog.dump(read);
            before = new byte[0];
        } else {
            byte[] shown = new byte[length];
            int fromBefore = Math.min(length, before.length);
            System.arraycopy(before, 0, shown, 0, fromBefore);
            read.getBytes(read.readerIndex(), shown, fromBefore, length - fromBefore);
            EpmdLog.dump(Unpooled.wrappedBuffer(shown));
        }
        int kept = Math.min(length, Epmd.INBUF_SIZE - before.length);
        if (kept > 0) {
            byte[] now = new byte[before.length + kept];
            System.arraycopy(before, 0, now, 0, before.length);
            read.getBytes(read.readerIndex(), now, before.length, kept);
            ctx.channel().attr(READ_SO_FAR).set(now);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ChannelInputShutdownEvent.INSTANCE) {
            EpmdLog.time(); // the select() loop woke up for the peer's close
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            EpmdLog.time(); // the select() loop woke up for a failing read
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            EpmdLog.dump(buf);
        }
        ctx.write(msg, promise);
    }
}
