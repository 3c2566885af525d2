package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jepmd.protocol.EpmdCodecException;
import org.jepmd.protocol.EpmdFrameDecoder;
import org.jepmd.protocol.EpmdReplies;
import org.jepmd.protocol.EpmdRequest;
import org.jepmd.protocol.EpmdTag;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.NodeRegistry;
import org.jepmd.registry.RefusalReason;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.Registration;
import org.jepmd.registry.UnusedNode;
import org.jepmd.server.EpmdEvents.UnregisterCause;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * One connection's life, as {@code do_read()} and {@code do_request()} run it (docs/protocol.md,
 * Connections and the request sections): a deadline from accept, one request, the local-peer gate, the reply, then close, except
 * after ALIVE2, whose connection then stays open and owns the registration until it closes or sends
 * anything more.
 */
final class EpmdConnectionHandler extends ChannelInboundHandlerAdapter {
    /** The pipeline stages before this handler that only a request needs (see {@link EpmdChannelInitializer}). */
    private static final String[] REQUEST_STAGES = {"framer", "decoder"};
    private final ServerContext server;
    private boolean local;
    private int fd;
    private SocketAddress peer;
    private ScheduledFuture<?> deadline;
    /** The one request has arrived (or was rejected): no deadline, no partial-packet message. */
    private boolean requestSeen;
    /** epmd's "keep": an answered ALIVE2, successful or refused; any later byte or EOF ends it. */
    private boolean keep;
    /** An ALIVE2 reply or takeover decision is pending: bytes that arrive meanwhile end the registration after it. */
    private boolean alivePending;
    private boolean trailingWhilePending;
    private boolean closedByUs;
    /** The registration this connection owns, if any. */
    private RegisteredNode owned;
    private UnregisterCause closeCause = UnregisterCause.CONNECTION_CLOSED;
    private ReplyStream reply;
    /** KILL_REQ was answered OK: the daemon stops once this connection is closed. */
    private boolean killed;

    EpmdConnectionHandler(ServerContext server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        peer = channel.remoteAddress();
        local = server.config().localPeers().isLocal(peer, channel.localAddress());
        fd = server.transport().descriptor(channel);
        if (LOG.isDebugEnabled()) {
            LOG.debug(local ? "Local peer connected" : "Non-local peer connected");
            EpmdLog.time();
            LOG.debug("opening connection on file descriptor {}", fd);
        }
        server.events().connectionOpened(peer, local);
        deadline = ctx.executor().schedule(() -> timeOut(ctx),
                server.config().packetTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    private void timeOut(ChannelHandlerContext ctx) {
        if (!requestSeen && ctx.channel().isActive()) {
            LOG.info("closing because timed out on receive");
            server.events().timedOut(peer);
            closeByUs(ctx);
        }
    }

    private void requestArrived() {
        requestSeen = true;
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof EpmdRequest request)) {
            int count = msg instanceof ByteBuf bytes ? bytes.readableBytes() : 0;
            if (keep && count > 0) {
                LOG.info("got more than expected on ALIVE socket {} ({})", fd, count);
                EpmdLog.dump((ByteBuf) msg); // after the message, as epmd's do_read()
            }
            ReferenceCountUtil.release(msg);
            if (keep && count > 0) {
                unexpectedData(ctx); // a raw byte on a stripped ALIVE connection
            }
            return;
        }
        requestArrived();
        EpmdLog.time(); // do_read() notes the activity before do_request()
        server.events().request(request.tag(), peer);
        if (!queryAllowed(ctx, request)) {
            return;
        }
        if (request instanceof EpmdRequest.Alive2 alive2) {
            alive2(ctx, alive2.node());
        } else if (request instanceof EpmdRequest.PortPlease2 port2) {
            portPlease2(ctx, port2.name());
        } else if (request instanceof EpmdRequest.Names) {
            names(ctx);
        } else if (request instanceof EpmdRequest.Dump) {
            dump(ctx);
        } else if (request instanceof EpmdRequest.Kill) {
            kill(ctx);
        } else if (request instanceof EpmdRequest.Stop stop) {
            stop(ctx, stop.name());
        } else if (request instanceof EpmdRequest.JepmdInfo) {
            jepmdInfo(ctx);
        } else {
            throw new AssertionError("unhandled request " + request);
        }
    }

    // ---- ALIVE2_REQ (docs/protocol.md) ----

    private void alive2(ChannelHandlerContext ctx, NodeInfo node) {
        LOG.info("** got ALIVE2_REQ");
        if (!allowedHere(ctx, EpmdTag.ALIVE2_REQ)) {
            return;
        }
        alivePending = true;
        register(ctx, node, false);
    }

    private void register(ChannelHandlerContext ctx, NodeInfo node, boolean afterGrace) {
        Channel channel = ctx.channel();
        if (!channel.isActive()) {
            alivePending = false;
            return;
        }
        NodeRegistry registry = server.registry();
        List<UnusedNode> unusedBefore = LOG.isInfoEnabled() ? registry.unused() : List.of();
        Registration result = registry.register(node, channel, fd, String.valueOf(peer));
        if (result instanceof Registration.Refused refused) {
            if (!afterGrace && awaitClosingHolder(ctx, node, refused)) {
                return;
            }
            LOG.warn("{}", refused.message());
            server.events().refused(node, refused.reason(), peer);
            sendAliveReply(ctx, node, EpmdReplies.alive2Refused(ctx.alloc(), node.highestVersion()), null);
            return;
        }
        RegisteredNode registered = ((Registration.Registered) result).node();
        owned = registered;
        channel.closeFuture().addListener(f -> releaseRegistration());
        long creation = registered.creationFor(node.highestVersion());
        if (LOG.isInfoEnabled()) {
            // node_reg2(): a name from the unused list is reused; a new one reads the clock for its creation
            if (unusedBefore.stream().anyMatch(unused -> unused.name().equals(node.name()))) {
                LOG.info("reusing slot with same name '{}'", node.name());
            } else if (unusedBefore.size() <= server.config().maxUnusedNames()) {
                EpmdLog.time();
            }
            LOG.info("registering '{}:{}', port {}", node.name(), creation, node.port());
            LOG.info("type {} proto {} highvsn {} lowvsn {}", node.nodeType(), node.protocol(),
                    node.highestVersion(), node.lowestVersion());
            EpmdLog.names(registry);
        }
        server.events().registered(registered, peer);
        sendAliveReply(ctx, node, EpmdReplies.alive2(ctx.alloc(), node.highestVersion(), true, creation), registered);
    }

    /**
     * A name held by a connection that its peer has already closed, but whose close this daemon has
     * not processed yet, is not really taken (erlang/otp#11083). Waits up to the grace period for
     * the holder's close, then decides again.
     *
     * @return true if the decision was deferred
     */
    private boolean awaitClosingHolder(ChannelHandlerContext ctx, NodeInfo node, Registration.Refused refused) {
        long graceNanos = server.config().takeoverGrace().toNanos();
        if (refused.reason() != RefusalReason.NAME_OCCUPIED || graceNanos <= 0
                || !(refused.holder().owner() instanceof Channel holder) || holder == ctx.channel()) {
            return false;
        }
        AtomicBoolean decided = new AtomicBoolean();
        Runnable decide = () -> {
            if (decided.compareAndSet(false, true)) {
                register(ctx, node, true);
            }
        };
        ScheduledFuture<?> timer = ctx.executor().schedule(decide, graceNanos, TimeUnit.NANOSECONDS);
        // listeners run in the order they were added: the holder's own release has run by then
        holder.closeFuture().addListener(f -> {
            timer.cancel(false);
            ctx.executor().execute(decide);
        });
        return true;
    }

    private void sendAliveReply(ChannelHandlerContext ctx, NodeInfo node, ByteBuf reply, RegisteredNode registered) {
        Runnable write = () -> ctx.writeAndFlush(reply).addListener(f -> {
            alivePending = false;
            if (!f.isSuccess()) {
                LOG.info("** failed to send ALIVE2_RESP for \"{}\"", node.name());
                closeCause = UnregisterCause.REPLY_FAILED;
                closeByUs(ctx);
                return;
            }
            LOG.info("** sent ALIVE2_RESP for \"{}\"", node.name());
            keep = true; // for a refusal too: the connection stays open, exempt from the deadline
            stripForKeep(ctx);
            if (trailingWhilePending) {
                LOG.info("got more than expected on ALIVE socket {} ({})", fd, 0);
                unexpectedData(ctx);
            }
        });
        long delay = server.config().delayWrite().toNanos();
        if (delay > 0) {
            ctx.executor().schedule(write, delay, TimeUnit.NANOSECONDS);
        } else {
            write.run();
        }
    }

    /**
     * A kept connection only waits for its close or for a stray byte, so the request stages go:
     * from here on raw bytes reach {@link #channelRead} and end the registration. This keeps a
     * registered node's footprint small when 100,000 of them are held.
     */
    private void stripForKeep(ChannelHandlerContext ctx) {
        ChannelPipeline pipeline = ctx.pipeline();
        for (String stage : REQUEST_STAGES) {
            if (pipeline.context(stage) != null) {
                pipeline.remove(stage);
            }
        }
    }

    /** Runs once the registration connection is closed, for whatever reason. */
    private void releaseRegistration() {
        RegisteredNode node = owned;
        if (node == null) {
            return;
        }
        owned = null;
        if (server.registry().unregister(node.name(), node.owner()) != null) {
            logUnregistering(node, server.registry());
            server.events().unregistered(node, closeCause);
        }
    }

    static void logUnregistering(RegisteredNode node, NodeRegistry registry) {
        if (LOG.isInfoEnabled()) {
            LOG.info("unregistering '{}:{}', port {}", node.name(),
                    node.creationFor(node.info().highestVersion()), node.info().port());
            EpmdLog.names(registry);
        }
    }

    private void unexpectedData(ChannelHandlerContext ctx) {
        closeCause = UnregisterCause.UNEXPECTED_DATA;
        closeByUs(ctx);
    }

    // ---- PORT_PLEASE2_REQ (docs/protocol.md) ----

    private void portPlease2(ChannelHandlerContext ctx, NodeName name) {
        LOG.info("** got PORT2_REQ");
        RegisteredNode node = server.registry().lookup(name);
        server.events().lookup(node == null ? null : node.info(), node != null, peer);
        ByteBuf reply = node == null
                ? EpmdReplies.port2NotFound(ctx.alloc())
                : EpmdReplies.port2Found(ctx.alloc(), node.info());
        String outcome = node == null ? "error" : "ok";
        replyThenClose(ctx, ReplySources.of(List.of(reply)),
                () -> LOG.info("** sent PORT2_RESP ({}) for \"{}\"", outcome, name));
    }

    // ---- NAMES_REQ and DUMP_REQ (docs/protocol.md) ----

    private void names(ChannelHandlerContext ctx) {
        LOG.info("** got NAMES_REQ");
        replyThenClose(ctx, ReplySources.names(server.config().port(), server.registry(), delaysWrites()),
                () -> LOG.info("** sent NAMES_RESP"));
    }

    private void dump(ChannelHandlerContext ctx) {
        LOG.info("** got DUMP_REQ");
        if (!allowedHere(ctx, EpmdTag.DUMP_REQ)) {
            return;
        }
        replyThenClose(ctx, ReplySources.dump(server.config().port(), server.registry(), delaysWrites()),
                () -> LOG.info("** sent DUMP_RESP"));
    }

    private boolean delaysWrites() {
        return !server.config().delayWrite().isZero();
    }

    // ---- KILL_REQ (docs/protocol.md) ----

    private void kill(ChannelHandlerContext ctx) {
        if (!allowedHere(ctx, EpmdTag.KILL_REQ)) {
            return;
        }
        LOG.info("** got KILL_REQ");
        if (!server.config().relaxedCommandCheck() && !server.registry().isEmpty()) {
            LOG.warn("Disallowed KILL_REQ, live nodes");
            server.events().kill(false, peer);
            replyThenClose(ctx, ReplySources.of(List.of(EpmdReplies.kill(ctx.alloc(), false))), () -> { });
            return;
        }
        server.events().kill(true, peer);
        replyThenClose(ctx, ReplySources.of(List.of(EpmdReplies.kill(ctx.alloc(), true))), () -> {
            LOG.info("epmd killed");
            killed = true; // epmd closes this connection, then logs its last line and exits: channelInactive
        });
    }

    // ---- STOP_REQ (docs/protocol.md) ----

    private void stop(ChannelHandlerContext ctx, NodeName name) {
        LOG.info("** got STOP_REQ");
        if (!allowedHere(ctx, EpmdTag.STOP_REQ)) {
            return;
        }
        if (!server.config().relaxedCommandCheck()) {
            drop(ctx, EpmdTag.STOP_REQ, "Disallowed STOP_REQ, no relaxed_command_check");
            return;
        }
        if (name == null) {
            drop(ctx, EpmdTag.STOP_REQ, "packet too small for request STOP_REQ (1)");
            return;
        }
        RegisteredNode stopped = server.registry().stop(name);
        server.events().stop(name.toString(), stopped != null, peer);
        if (stopped == null) {
            LOG.info("trying to unregister node with unknown name {}", name);
            // epmd writes NOEXIST and then, falling through, STOPPED as well
            replyThenClose(ctx, ReplySources.of(List.of(EpmdReplies.noExist(ctx.alloc()),
                    EpmdReplies.stopped(ctx.alloc()))), () -> LOG.info("** sent STOP_RESP STOPPED"));
            return;
        }
        logUnregistering(stopped, server.registry());
        server.events().unregistered(stopped, UnregisterCause.STOPPED);
        ((Channel) stopped.owner()).close();
        LOG.info("epmd connection stopped");
        replyThenClose(ctx, ReplySources.of(List.of(EpmdReplies.stopped(ctx.alloc()))),
                () -> LOG.info("** sent STOP_RESP STOPPED"));
    }

    // ---- JEPMD_INFO_REQ: jepmd's own, see docs/protocol.md ----

    private void jepmdInfo(ChannelHandlerContext ctx) {
        if (!local) {
            drop(ctx, null, "got garbage "); // to other peers, what epmd does with an unknown tag
            return;
        }
        LOG.info("** got JEPMD_INFO_REQ");
        replyThenClose(ctx, ReplySources.of(List.of(JepmdInfo.reply(ctx.alloc(), server))),
                () -> LOG.info("** sent JEPMD_INFO_RESP"));
    }

    // ---- shared steps ----

    private void replyThenClose(ChannelHandlerContext ctx, ReplyStream.Source source, Runnable onComplete) {
        reply = new ReplyStream(ctx, source, server.config().delayWrite(), onComplete);
        reply.start();
    }

    /**
     * The local-peer gate of ALIVE2, DUMP, KILL and STOP (docs/protocol.md, Local peers); logs and
     * closes when it says no.
     */
    private boolean allowedHere(ChannelHandlerContext ctx, EpmdTag tag) {
        if (local || !isLocalOnly(tag)) {
            return true;
        }
        LOG.warn("{} from non local address", tag.name());
        server.events().nonLocal(tag, peer);
        closeByUs(ctx);
        return false;
    }

    /** {@code -allow_query}: NAMES and PORT_PLEASE2 from a peer outside the listed networks are closed unanswered. */
    private boolean queryAllowed(ChannelHandlerContext ctx, EpmdRequest request) {
        boolean query = request instanceof EpmdRequest.Names || request instanceof EpmdRequest.PortPlease2;
        if (!query || server.config().queryAccess().allows(peer)) {
            return true;
        }
        LOG.warn("{} from address not allowed to query ({})", request.tag().name(), peer);
        server.events().queryDenied(request.tag(), peer);
        closeByUs(ctx);
        return false;
    }

    static boolean isLocalOnly(EpmdTag tag) {
        return tag == EpmdTag.ALIVE2_REQ || tag == EpmdTag.DUMP_REQ
                || tag == EpmdTag.KILL_REQ || tag == EpmdTag.STOP_REQ;
    }

    private void drop(ChannelHandlerContext ctx, EpmdTag tag, String message) {
        LOG.warn("{}", message);
        server.events().dropped(tag, message, peer);
        closeByUs(ctx);
    }

    private void closeByUs(ChannelHandlerContext ctx) {
        closedByUs = true;
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof EpmdFrameDecoder.TrailingBytes) {
            // a kept connection has no framer any more (stripForKeep): its bytes arrive in channelRead
            if (alivePending) {
                trailingWhilePending = true;
            }
            // otherwise a reply is on its way: epmd leaves such bytes unread and closes after it
            return;
        }
        if (event == ChannelInputShutdownEvent.INSTANCE) {
            // the peer closed its side: a registration ends, an unfinished request is dropped,
            // a reply already on its way is still written (epmd writes to half-closed peers too)
            if (keep || !requestSeen) {
                ctx.close();
            } else if (alivePending) {
                trailingWhilePending = true;
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (reply != null) {
            reply.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (!requestSeen && !closedByUs) {
            EpmdFrameDecoder framer = ctx.pipeline().get(EpmdFrameDecoder.class);
            LOG.warn("got partial packet only on file descriptor {} ({})", fd,
                    framer == null ? 0 : framer.partialBytes());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("closing connection on file descriptor {}", fd);
        }
        if (killed) {
            LOG.warn("got KILL_REQ - terminates normal");
            server.shutdown();
        }
        server.events().connectionClosed(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof EpmdCodecException rejected) {
            requestArrived();
            EpmdFrameDecoder framer = ctx.pipeline().get(EpmdFrameDecoder.class);
            if (framer != null && framer.isComplete()) {
                EpmdLog.time(); // a whole packet that do_request() refuses; framing errors come before the clock
            }
            EpmdTag tag = rejected.tag();
            if (tag != null && isLocalOnly(tag) && !allowedHere(ctx, tag)) {
                return;
            }
            if (tag == EpmdTag.ALIVE2_REQ) {
                LOG.info("** got ALIVE2_REQ");
            }
            drop(ctx, tag, rejected.getMessage());
            return;
        }
        if (cause instanceof DirectMemoryBudget.Exhausted exhausted) {
            if (server.memory().logRefusalNow()) {
                LOG.warn("closing connections: {}", exhausted.getMessage());
            }
            closeByUs(ctx);
            return;
        }
        if (cause instanceof IOException) {
            if (keep) {
                LOG.info("error on ALIVE socket {} ({})", fd, cause.getMessage());
            } else {
                LOG.warn("error in read: {}", cause.getMessage());
            }
        } else {
            LOG.warn("unexpected error on file descriptor {}", fd, cause);
        }
        closeByUs(ctx);
    }
}
