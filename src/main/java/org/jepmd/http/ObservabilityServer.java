package org.jepmd.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.jepmd.net.Peers;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.StartupFailure;
import org.jepmd.server.guard.ConnectionGuard;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The opt-in HTTP endpoint for operators ({@code -http ADDR:PORT}): Prometheus metrics, liveness,
 * readiness and the live registrations. It runs on one event-loop thread of its own, apart from
 * the EPMD sockets, and only reads the daemon's state. What it may cost is bounded, so that no HTTP
 * client can take memory or descriptors from EPMD: a few connections ({@link HttpLimits}), small
 * requests, one request at a time per connection with a deadline ({@link HttpExchangeHandler}), no
 * reply queued beyond a small write buffer, heap buffers for what it builds.
 */
public final class ObservabilityServer implements AutoCloseable {
    private static final int MAX_INITIAL_LINE_BYTES = 2048;
    private static final int MAX_HEADER_BYTES = 8192;
    /** GET and HEAD carry no body; a small one is tolerated. */
    private static final int MAX_BODY_BYTES = 1024;
    private static final int READ_BYTES = 4096;
    private static final WriteBufferWaterMark WRITE_BUFFER = new WriteBufferWaterMark(8 * 1024, 32 * 1024);

    private final EventLoopGroup group;
    private final Channel channel;

    private ObservabilityServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code address} and serves {@code server}'s state.
     *
     * @throws StartupFailure (exit 1) when the address cannot be bound
     */
    public static ObservabilityServer start(InetSocketAddress address, EpmdServer server, EpmdMetrics metrics)
            throws StartupFailure {
        HttpLimits limits = HttpLimits.DEFAULT;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ObservabilityRoutes routes = new ObservabilityRoutes(server, metrics, new Readiness(server));
        ConnectionGuard guard = new ConnectionGuard("HTTP connection",
                limits.connectionLimits(server.config().connectionLimits().ipv6PeerPrefix()));
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOCATOR, new UnpooledByteBufAllocator(false))
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_BYTES))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_BUFFER)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ConnectionGuard.Refusal refusal = guard.admit(ch);
                        if (refusal != null) {
                            metrics.httpConnectionRefused(refusal.label());
                            ch.close();
                            return;
                        }
                        ch.pipeline()
                                .addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                                        .setMaxHeaderSize(MAX_HEADER_BYTES)))
                                .addLast("aggregator", new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast("oneAtATime", new FlowControlHandler())
                                .addLast("chunks", new ChunkedWriteHandler())
                                .addLast("exchange", new HttpExchangeHandler(routes, limits.deadline(),
                                        metrics::httpTimedOut));
                    }
                })
                .bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new StartupFailure(1, "failed to bind HTTP on " + Peers.text(address) + ": "
                    + bound.cause().getMessage());
        }
        return new ObservabilityServer(group, bound.channel());
    }

    /** The address it listens on, with its real port. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops listening and closes every HTTP connection. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
