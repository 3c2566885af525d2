package org.jepmd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import org.jepmd.protocol.EpmdFrameDecoder;
import org.jepmd.protocol.EpmdRequestDecoder;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Builds each connection's pipeline: {@code framer} (one length-prefixed packet) →
 * {@code decoder} (packet to request) → {@code handler} (the connection's life; the requests are {@link RequestLogic}'s), with a hex-dump
 * stage in front at {@code -d -d}.
 */
final class EpmdChannelInitializer extends ChannelInitializer<Channel> {
    private final ServerContext server;
    private final RequestLogic logic;
    private final ByteCounter byteCounter;
    private final Predicate<Channel> admit;
    private final RegistrationWatchers watchers;

    /**
     * @param server  what every connection shares
     * @param admit     decides first on every new connection; a refused one is left alone (already closed)
     * @param watchers where registration connections go after their ALIVE2 reply on epoll; null: they stay channels
     */
    EpmdChannelInitializer(ServerContext server, Predicate<Channel> admit, RegistrationWatchers watchers) {
        this.server = server;
        this.logic = new RequestLogic(server.config(), server.registry(), server.events());
        this.byteCounter = server.events() == EpmdEvents.NONE ? null : new ByteCounter(server.events());
        this.admit = admit;
        this.watchers = watchers;
    }

    /** The request logic every connection of this daemon shares. */
    RequestLogic logic() {
        return logic;
    }

    /** A handed-over registration connection's pipeline: the byte counter, then only its kept handler. */
    void initKept(Channel channel, KeptRegistrationHandler kept) {
        if (byteCounter != null) {
            channel.pipeline().addLast("bytes", byteCounter);
        }
        channel.pipeline().addLast("kept", kept);
    }

    @Override
    protected void initChannel(Channel channel) {
        if (!admit.test(channel)) {
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (byteCounter != null) {
            pipeline.addLast("bytes", byteCounter);
        }
        if (EpmdLog.LOG.isDebugEnabled()) {
            pipeline.addLast("dump", PacketDumpHandler.INSTANCE);
        }
        pipeline.addLast("framer", new EpmdFrameDecoder());
        pipeline.addLast("decoder", EpmdRequestDecoder.INSTANCE);
        pipeline.addLast("handler", new EpmdConnectionHandler(server, logic, watchers));
        long delayAccept = server.config().delayAccept().toNanos();
        if (delayAccept > 0) {
            channel.config().setAutoRead(false);
            channel.eventLoop().schedule(() -> channel.config().setAutoRead(true), delayAccept, TimeUnit.NANOSECONDS);
        }
    }
}
