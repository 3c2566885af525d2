package org.jepmd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.UnixChannel;

import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The socket transport: Linux's native epoll when Netty can load it, else Java NIO.
 */
public final class Transport {
    private final boolean epoll;
    private final AtomicInteger pseudoDescriptors = new AtomicInteger(100);

    private Transport(boolean epoll) {
        this.epoll = epoll;
    }

    /** Native epoll when available (and not disabled with {@code -Djepmd.transport=nio}), else NIO. */
    public static Transport best() {
        boolean nioWanted = "nio".equalsIgnoreCase(System.getProperty("jepmd.transport"));
        return new Transport(!nioWanted && Epoll.isAvailable());
    }

    /** True for the native epoll transport. */
    public boolean isEpoll() {
        return epoll;
    }

    EventLoopGroup newGroup(int threads) {
        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, handlers);
    }

    ChannelFactory<ServerChannel> serverChannels(SocketProtocolFamily family) {
        if (epoll) {
            return () -> new EpollServerSocketChannel(family);
        }
        return () -> new NioServerSocketChannel(SelectorProvider.provider(), family);
    }

    /** A server channel on an inherited, already listening descriptor (systemd socket activation). */
    ServerChannel adopt(int fd) {
        if (!epoll) {
            throw new IllegalStateException("inherited sockets need the native epoll transport");
        }
        return new EpollServerSocketChannel(fd);
    }

    /**
     * The connection's descriptor number as DUMP shows it: the real fd with epoll, a counter with NIO
     * (which hides descriptors).
     */
    int descriptor(Channel channel) {
        if (channel instanceof UnixChannel unix) {
            return unix.fd().intValue();
        }
        return pseudoDescriptors.incrementAndGet();
    }
}
