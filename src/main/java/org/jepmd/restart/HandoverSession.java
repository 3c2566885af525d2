package org.jepmd.restart;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jepmd.server.Handover;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * The old daemon's side of one hand-over connection ({@link HandoverProtocol}): pauses the daemon,
 * sends its state and descriptors, and stops it once the new daemon is ready; if the new daemon
 * gives up, closes, dies or takes too long, serves again as before.
 */
final class HandoverSession extends ChannelInboundHandlerAdapter {
    /** How long requests in progress may take to finish before a hand-over closes them. */
    static final Duration DRAIN = Duration.ofMillis(250);

    private enum Stage { IDLE, PAUSING, PAUSED, COMMITTING, DONE }

    private final RestartListener listener;
    private Handover.Paused paused;
    private Stage stage = Stage.IDLE;
    private List<Integer> outgoing;
    private int sent;
    private ScheduledFuture<?> timeout;

    HandoverSession(RestartListener listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!listener.allows((EpollDomainSocketChannel) ctx.channel())) {
            ctx.close();
            return;
        }
        timeout = ctx.executor().schedule(() -> {
            LOG.warn("restart: the new daemon took too long; serving on");
            ctx.close();
        }, HandoverProtocol.STEP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof ByteBuf bytes)) {
                return;
            }
            while (bytes.isReadable()) {
                step(ctx, bytes.readByte());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void step(ChannelHandlerContext ctx, byte command) {
        switch (command) {
            case HandoverProtocol.ARGUMENTS -> ctx.writeAndFlush(arguments(ctx));
            case HandoverProtocol.TAKE_OVER -> takeOver(ctx);
            case HandoverProtocol.SEND_FDS -> sendDescriptors(ctx);
            case HandoverProtocol.READY -> commit(ctx);
            default -> ctx.close(); // GIVE_UP or anything else: serve on
        }
    }

    private ByteBuf arguments(ChannelHandlerContext ctx) {
        List<String> arguments = listener.server().config().arguments();
        ByteBuf reply = ctx.alloc().buffer();
        reply.writeInt(arguments.size());
        for (String argument : arguments) {
            byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
            reply.writeInt(bytes.length).writeBytes(bytes);
        }
        return reply;
    }

    private void takeOver(ChannelHandlerContext ctx) {
        if (stage != Stage.IDLE || !listener.begin()) {
            refuse(ctx, HandoverProtocol.BUSY, "another restart is in progress");
            return;
        }
        stage = Stage.PAUSING;
        Channel channel = ctx.channel();
        // pausing waits for the event loops (this one included): another thread does it
        Thread pausing = new Thread(() -> {
            Handover.Paused snapshot = listener.server().handover().pause(DRAIN);
            channel.eventLoop().execute(() -> sendState(ctx, snapshot));
        }, "jepmd-handover");
        pausing.setDaemon(true);
        pausing.start();
    }

    private void sendState(ChannelHandlerContext ctx, Handover.Paused snapshot) {
        paused = snapshot;
        stage = Stage.PAUSED;
        if (!ctx.channel().isActive()) {
            resumeOffLoop(); // the new daemon went away while this one paused
            return;
        }
        RegistryState state = RegistryState.of(listener.server().config().arguments(), snapshot);
        byte[] bytes = StateCodec.encode(state);
        ByteBuf message = ctx.alloc().buffer(1 + 4 + bytes.length + 12)
                .writeByte(HandoverProtocol.STATE).writeInt(bytes.length).writeBytes(bytes)
                .writeInt(snapshot.listenerFds().size()).writeInt(snapshot.liveFds().size()).writeInt(1);
        ctx.writeAndFlush(message);
        LOG.info("restart: paused with {} registered nodes; handing over", state.live().size());
    }

    /**
     * The next {@link HandoverProtocol#FD_BATCH} descriptors: listeners, the hand-over socket,
     * registrations, connections kept after a refused ALIVE2.
     */
    private void sendDescriptors(ChannelHandlerContext ctx) {
        if (stage != Stage.PAUSED) {
            ctx.close();
            return;
        }
        if (outgoing == null) {
            outgoing = new ArrayList<>(paused.listenerFds());
            outgoing.add(listener.fd());
            outgoing.addAll(paused.liveFds());
            outgoing.addAll(paused.refusedFds());
        }
        int end = Math.min(outgoing.size(), sent + HandoverProtocol.FD_BATCH);
        for (; sent < end; sent++) {
            ctx.write(new FileDescriptor(outgoing.get(sent)));
        }
        ctx.flush();
    }

    private void commit(ChannelHandlerContext ctx) {
        if (stage != Stage.PAUSED) {
            ctx.close();
            return;
        }
        stage = Stage.COMMITTING;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {HandoverProtocol.COMMIT})).addListener(f -> {
            if (!f.isSuccess()) {
                stage = Stage.PAUSED;
                ctx.close(); // the new daemon is gone before it serves: serve on
                return;
            }
            stage = Stage.DONE;
            cancelTimeout();
            LOG.info("restart: handed over; exiting");
            listener.handedOver();
        });
    }

    private void refuse(ChannelHandlerContext ctx, byte code, String reason) {
        ByteBuf message = ctx.alloc().buffer().writeByte(code).writeBytes(reason.getBytes(StandardCharsets.UTF_8));
        ctx.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (stage == Stage.PAUSED) {
            resumeOffLoop();
        }
        ctx.fireChannelInactive();
    }

    /** Serves on, unchanged; {@link Handover#resume()} waits for the event loops, so not on this one. */
    private void resumeOffLoop() {
        stage = Stage.DONE;
        paused = null;
        Thread resuming = new Thread(() -> {
            listener.server().handover().resume();
            LOG.warn("restart: the new daemon did not take over; serving on");
            listener.end();
        }, "jepmd-handover-resume");
        resuming.setDaemon(true);
        resuming.start();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.info("restart: hand-over connection failed: {}", cause.getMessage());
        ctx.close();
    }
}
