package org.jepmd.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.StartupFailure;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The opt-in HTTP endpoint for operators ({@code -http ADDR:PORT}): Prometheus metrics, liveness,
 * readiness and the live registrations. It runs on one event-loop thread of its own, apart from
 * the EPMD sockets, and only reads the daemon's state.
 */
public final class ObservabilityServer implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 8192;
    private static final int IDLE_SECONDS = 30;

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
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ObservabilityHandler handler = new ObservabilityHandler(server, metrics, new Readiness(server));
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("idle", new ReadTimeoutHandler(IDLE_SECONDS))
                                .addLast("codec", new HttpServerCodec())
                                .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast("handler", handler);
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
