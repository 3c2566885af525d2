package org.jepmd.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;

import java.util.concurrent.TimeUnit;

/**
 * Sends AF_UNIX datagrams to one socket (a path, or {@code @name} in the abstract namespace), as
 * {@code sd_notify()} and {@code syslog()} do. Java 17 has no AF_UNIX datagrams, so this uses
 * Netty's epoll transport, with a one-thread event loop made on first use.
 */
public final class UnixDatagramSender implements AutoCloseable {
    private static final long SEND_TIMEOUT_MILLIS = 2000;

    private final String socket;
    private EventLoopGroup group;
    private Channel channel;

    public UnixDatagramSender(String socket) {
        this.socket = socket;
    }

    /** The socket it sends to, as given. */
    public String socket() {
        return socket;
    }

    /**
     * Sends one datagram and waits (bounded) until it is written.
     *
     * @throws Exception when it could not be sent
     */
    public synchronized void send(byte[] datagram) throws Exception {
        ChannelFuture sent = channel().writeAndFlush(Unpooled.wrappedBuffer(datagram));
        if (!sent.await(SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || !sent.isSuccess()) {
            throw new IllegalStateException("cannot send to " + socket, sent.cause());
        }
    }

    private Channel channel() throws InterruptedException {
        if (channel != null && channel.isActive()) {
            return channel;
        }
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("AF_UNIX datagrams need the native epoll transport", Epoll.unavailabilityCause());
        }
        if (group == null) {
            group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        }
        // an abstract socket is written "@name"; on the wire its first byte is NUL
        String path = socket.startsWith("@") ? '\0' + socket.substring(1) : socket;
        ChannelFuture connected = new Bootstrap()
                .group(group)
                .channel(EpollDomainDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(new DomainSocketAddress(path));
        if (!connected.await(SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || !connected.isSuccess()) {
            connected.channel().close();
            throw new IllegalStateException("cannot connect to " + socket, connected.cause());
        }
        channel = connected.channel();
        return channel;
    }

    /** Closes the socket and its event loop. */
    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(SEND_TIMEOUT_MILLIS);
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(SEND_TIMEOUT_MILLIS);
            group = null;
        }
    }
}
