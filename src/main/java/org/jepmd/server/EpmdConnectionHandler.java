package org.jepmd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jepmd.protocol.EpmdCodecException;
import org.jepmd.protocol.EpmdFrameDecoder;
import org.jepmd.protocol.EpmdRequest;
import org.jepmd.server.RequestLogic.Answer;
import org.jepmd.server.RequestLogic.Fate;
import org.jepmd.server.RequestLogic.Reply;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * One connection's life, as epmd's {@code do_read()} runs it (docs/protocol.md, Connections): a
 * deadline from accept, one request handed to {@link RequestLogic}, its reply, then close, except
 * after ALIVE2, whose connection stays open and owns the registration until it closes or sends
 * anything more.
 */
final class EpmdConnectionHandler extends ChannelInboundHandlerAdapter {
    /** The pipeline stages before this handler that only a request needs (see {@link EpmdChannelInitializer}). */
    private static final String[] REQUEST_STAGES = {"framer", "decoder"};

    private enum State {
        /** Before the request: the deadline runs; a close now is a partial packet. */
        AWAITING_REQUEST,
        /** A reply is being written; the connection closes after it. */
        ANSWERING,
        /** An ALIVE2 reply (or the takeover decision) is pending. */
        REGISTERING,
        /** As REGISTERING, but bytes or EOF arrived meanwhile: the registration ends after the reply. */
        REGISTERING_INTERRUPTED,
        /** A KILL_REQ was answered: the daemon stops once this connection is closed. */
        STOPPING_DAEMON,
        /** This side closed the connection without a reply. */
        CLOSED_BY_US
    }

    private final ServerContext server;
    private final RequestLogic logic;
    /** Where this connection goes after its ALIVE2 reply on epoll; null: it stays a channel. */
    private final RegistrationWatchers watchers;
    private State state = State.AWAITING_REQUEST;
    private ChannelConnection connection;
    private ScheduledFuture<?> deadline;
    /** What this connection becomes after an ALIVE2 reply; made with the decision, as it owns the registration. */
    private KeptRegistration kept;
    private ReplyStream stream;

    EpmdConnectionHandler(ServerContext server, RequestLogic logic, RegistrationWatchers watchers) {
        this.server = server;
        this.logic = logic;
        this.watchers = watchers;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        int fd = server.transport().descriptor(channel);
        // a connection first served without a channel (FastLookup) may have been reported, and waited
        FirstRead waited = ctx.pipeline().get(FirstRead.class);
        boolean announced = waited != null && waited.announced();
        boolean local = announced ? waited.local()
                : server.config().localPeers().isLocal(channel.remoteAddress(), channel.localAddress());
        connection = new ChannelConnection(channel, channel.remoteAddress(), local, fd);
        if (LOG.isDebugEnabled()) {
            LOG.debug(local ? "Local peer connected" : "Non-local peer connected");
            EpmdLog.time();
            LOG.debug("opening connection on file descriptor {}", fd);
        }
        if (!announced) {
            server.events().connectionOpened(connection.peer(), local);
        }
        long timeout = server.config().packetTimeout().toNanos() - (waited == null ? 0 : waited.sinceAccept());
        deadline = ctx.executor().schedule(() -> timeOut(ctx), Math.max(0, timeout), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    private void timeOut(ChannelHandlerContext ctx) {
        if (state == State.AWAITING_REQUEST && ctx.channel().isActive()) {
            LOG.info("closing because timed out on receive");
            server.events().timedOut(connection.peer());
            closeByUs(ctx);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof EpmdRequest request)) {
            ReferenceCountUtil.release(msg); // nothing else comes through the request stages
            return;
        }
        requestArrived();
        EpmdLog.time(); // do_read() notes the activity before do_request()
        follow(ctx, logic.handle(request, connection));
    }

    private void requestArrived() {
        state = State.ANSWERING;
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Carries out the request logic's decision. */
    private void follow(ChannelHandlerContext ctx, Answer answer) {
        if (answer instanceof Answer.Send send) {
            if (send.fate() != Fate.KEEP) {
                state = State.ANSWERING;
            } else if (state != State.REGISTERING_INTERRUPTED) {
                state = State.REGISTERING; // bytes or EOF during a takeover wait still end the registration
            }
            if (send.reply() instanceof Reply.Alive2 alive2) {
                kept = new KeptRegistration(server, logic, connection, alive2.registered());
            }
            stream = ReplyWriter.write(ctx, server, send.reply(), complete -> written(ctx, send, complete));
        } else if (answer instanceof Answer.AwaitHolder wait) {
            state = State.REGISTERING;
            awaitHolder(ctx, wait);
        } else {
            closeByUs(ctx);
        }
    }

    private void written(ChannelHandlerContext ctx, Answer.Send send, boolean complete) {
        stream = null;
        Reply reply = send.reply();
        if (!complete) {
            if (reply instanceof Reply.Alive2 alive2) {
                kept.replyFailed(alive2.node().name());
            }
            closeByUs(ctx);
            return;
        }
        if (LOG.isInfoEnabled() && reply.sentLine() != null) {
            LOG.info(reply.sentLine());
        }
        if (send.fate() == Fate.KEEP) {
            keep(ctx);
        } else {
            if (send.fate() == Fate.STOP_DAEMON) {
                state = State.STOPPING_DAEMON; // epmd closes this connection, then logs its last line and exits
            }
            closeAfterRequest(ctx);
        }
    }

    /**
     * The connection is a registration now: only its close or a stray byte matters (see
     * {@link KeptRegistration}). On epoll a {@link RegistrationWatcher} takes its socket over from the channel.
     */
    private void keep(ChannelHandlerContext ctx) {
        boolean interrupted = state == State.REGISTERING_INTERRUPTED;
        ChannelPipeline pipeline = ctx.pipeline();
        for (String stage : REQUEST_STAGES) {
            if (pipeline.context(stage) != null) {
                pipeline.remove(stage);
            }
        }
        if (!interrupted && watchers != null && RegistrationWatchers.canWatch(ctx.channel())) {
            pipeline.replace(this, "kept", watchers.watch(ctx.channel(), kept));
            return;
        }
        pipeline.replace(this, "kept", new KeptRegistrationHandler(kept));
        if (interrupted) {
            kept.unexpectedData(0);
        }
    }

    /**
     * A name held by a connection that its peer has already closed, but whose close this daemon has
     * not processed yet, is not really taken (erlang/otp#11083): waits up to the grace period for the
     * holder's close, then lets the request logic decide again.
     */
    private void awaitHolder(ChannelHandlerContext ctx, Answer.AwaitHolder wait) {
        AtomicBoolean decided = new AtomicBoolean();
        Runnable decide = () -> {
            if (decided.compareAndSet(false, true) && ctx.channel().isActive()) {
                follow(ctx, logic.registerAfterGrace(wait.node(), connection));
            }
        };
        ScheduledFuture<?> timer = ctx.executor().schedule(decide,
                server.config().takeoverGrace().toNanos(), TimeUnit.NANOSECONDS);
        // close actions run in the order they were added: the holder's own release has run by then
        wait.holder().whenClosed(() -> {
            timer.cancel(false);
            ctx.executor().execute(decide);
        });
    }

    private void closeByUs(ChannelHandlerContext ctx) {
        state = State.CLOSED_BY_US;
        closeAfterRequest(ctx);
    }

    /**
     * Closes a connection that is not a registration. Where the peer sent bytes after its request,
     * epmd closes with them unread, and its kernel resets the connection instead of closing it
     * (docs/protocol.md, Framing): so does this daemon.
     */
    private static void closeAfterRequest(ChannelHandlerContext ctx) {
        EpmdFrameDecoder framer = ctx.pipeline().get(EpmdFrameDecoder.class);
        if (framer != null && framer.hasBytesAfterPacket()) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof EpmdFrameDecoder.TrailingBytes) {
            // bytes after the request: epmd leaves them unread and closes after the reply, but after
            // an ALIVE2 they end the registration (a kept connection has no framer: see keep())
            if (state == State.REGISTERING) {
                state = State.REGISTERING_INTERRUPTED;
            }
            return;
        }
        if (event == ChannelInputShutdownEvent.INSTANCE) {
            // the peer closed its side: a registration ends, an unfinished request is dropped,
            // a reply already on its way is still written (epmd writes to half-closed peers too)
            if (state == State.AWAITING_REQUEST) {
                ctx.close();
            } else if (state == State.REGISTERING) {
                state = State.REGISTERING_INTERRUPTED;
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /**
     * A read ended without a whole request: if the peer has reset the connection meanwhile, fails as
     * epmd's next read() would (see {@link Transport#pendingReadError}); whole requests cost nothing here.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.AWAITING_REQUEST && ctx.channel().isActive()) {
            IOException reset = server.transport().pendingReadError(ctx.channel());
            if (reset != null) {
                exceptionCaught(ctx, reset);
                return;
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (state == State.AWAITING_REQUEST) {
            EpmdFrameDecoder framer = ctx.pipeline().get(EpmdFrameDecoder.class);
            LOG.warn("got partial packet only on file descriptor {} ({})", connection.fd(),
                    framer == null ? 0 : framer.partialBytes());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("closing connection on file descriptor {}", connection.fd());
        }
        if (state == State.STOPPING_DAEMON) {
            LOG.warn("got KILL_REQ - terminates normal");
            server.shutdown();
        }
        server.events().connectionClosed(connection.peer());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof EpmdCodecException rejected) {
            EpmdFrameDecoder framer = ctx.pipeline().get(EpmdFrameDecoder.class);
            boolean wholePacket = framer != null && framer.isComplete();
            requestArrived();
            if (wholePacket) {
                EpmdLog.time(); // a whole packet that do_request() refuses; framing errors come before the clock
            }
            follow(ctx, logic.rejected(rejected, connection));
        } else if (server.memory().isRefusal(cause)) {
            closeByUs(ctx);
        } else {
            if (cause instanceof IOException) {
                LOG.warn("error in read: {}", cause.getMessage());
            } else {
                LOG.warn("unexpected error on file descriptor {}", connection.fd(), cause);
            }
            closeByUs(ctx);
        }
    }

    /** The registry's owner of this connection's registration, if it makes one. */
    RequestLogic.Connection connection() {
        return connection;
    }
}
