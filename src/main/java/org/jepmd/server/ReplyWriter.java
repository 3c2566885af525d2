package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.jepmd.server.RequestLogic.Reply;

/**
 * The one way a reply leaves (docs/protocol.md, Replies and writes): a reply that is one buffer goes
 * out with one write; NAMES, DUMP and epmd's two-part STOP answer go through a {@link ReplyStream},
 * which also carries out {@code -delay_write} for every reply.
 */
final class ReplyWriter {
    private ReplyWriter() {
    }

    /**
     * Writes {@code reply}, then tells {@code done} whether it all left.
     *
     * @return the stream still writing, to be resumed when the channel becomes writable; null for one write
     */
    static ReplyStream write(ChannelHandlerContext ctx, ServerContext server, Reply reply, ReplyStream.Done done) {
        if (server.config().delayWrite().isZero()) {
            ByteBuf whole = ReplySources.whole(reply, ctx.alloc(), server);
            if (whole != null) {
                ctx.writeAndFlush(whole).addListener(f -> done.written(f.isSuccess()));
                return null;
            }
        }
        ReplyStream stream = new ReplyStream(ctx, ReplySources.pieces(reply, ctx.alloc(), server),
                server.config().delayWrite(), done);
        stream.start();
        return stream;
    }
}
