package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.server.UnregisterCause;

import java.io.IOException;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * A connection after its ALIVE2 reply, accepted or refused (epmd's "keep"): it only waits for its
 * close or a stray byte, either of which ends the registration it owns (docs/protocol.md, ALIVE2_REQ).
 * It replaces the whole request pipeline, so a registered node costs little more than its socket.
 */
final class KeptRegistrationHandler extends ChannelInboundHandlerAdapter {
    private final ServerContext server;
    private final RequestLogic logic;
    private final RequestLogic.Connection connection;
    /** The registration this connection owns; null after a refused ALIVE2. */
    private final RegisteredNode owned;
    private UnregisterCause closeCause = UnregisterCause.CONNECTION_CLOSED;

    /** For {@code connection}, which owns {@code owned} (null if none): its release follows the connection's close. */
    KeptRegistrationHandler(ServerContext server, RequestLogic logic, RequestLogic.Connection connection,
                            RegisteredNode owned) {
        this.server = server;
        this.logic = logic;
        this.connection = connection;
        this.owned = owned;
        if (owned != null) {
            connection.whenClosed(() -> logic.released(owned, connection, closeCause));
        }
    }

    /** The ALIVE2 reply for {@code name} could not be written. */
    void replyFailed(NodeName name) {
        LOG.info("** failed to send ALIVE2_RESP for \"{}\"", name);
        end(UnregisterCause.REPLY_FAILED);
    }

    /** An EOF came while the ALIVE2 reply was pending: as a stray byte, it ends the registration. */
    void unexpectedData(int count) {
        unexpectedData(count, null);
    }

    /** {@code count} bytes ({@code bytes}, dumped at {@code -d -d}) came after the request: epmd ends the registration. */
    private void unexpectedData(int count, ByteBuf bytes) {
        LOG.info("got more than expected on ALIVE socket {} ({})", connection.fd(), count);
        if (bytes != null) {
            EpmdLog.dump(bytes); // after the message, as epmd's do_read()
        }
        end(UnregisterCause.UNEXPECTED_DATA);
    }

    private void end(UnregisterCause cause) {
        closeCause = cause;
        connection.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                unexpectedData(bytes.readableBytes(), bytes);
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
        if (LOG.isDebugEnabled()) {
            LOG.debug("closing connection on file descriptor {}", connection.fd());
        }
        server.events().connectionClosed(connection.peer());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (server.memory().isRefusal(cause)) {
            ctx.close();
            return;
        }
        if (cause instanceof IOException) {
            LOG.info("error on ALIVE socket {} ({})", connection.fd(), cause.getMessage());
        } else {
            LOG.warn("unexpected error on file descriptor {}", connection.fd(), cause);
        }
        ctx.close();
    }
}
