package org.jepmd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.AcceptHookEpollServerSocketChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.uring.FamilyIoUringServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;

import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The socket transport: Linux's native epoll or io_uring when Netty can load it, else Java NIO
 * (docs/operations.md, "Transport"). Chosen once at start-up by {@link #choose}.
 */
public final class Transport {
    /** The system property that forces a transport: {@code epoll}, {@code io_uring}, {@code nio} or {@code auto}. */
    public static final String PROPERTY = "jepmd.transport";
    /** The environment variable read when the property is not set. */
    public static final String ENVIRONMENT = "JEPMD_TRANSPORT";

    /** The transports, in the order {@code auto} tries them. */
    public enum Kind {
        EPOLL("epoll"), IO_URING("io_uring"), NIO("nio");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name used by {@link #PROPERTY} and shown by {@code -info}. */
        public String label() {
            return label;
        }

        boolean available() {
            return switch (this) {
                case EPOLL -> Epoll.isAvailable();
                case IO_URING -> IoUring.isAvailable();
                case NIO -> true;
            };
        }

        Throwable unavailabilityCause() {
            return switch (this) {
                case EPOLL -> Epoll.unavailabilityCause();
                case IO_URING -> IoUring.unavailabilityCause();
                case NIO -> null;
            };
        }
    }

    /** getsockopt(SOL_SOCKET, SO_ERROR): the error a socket's next read fails with (reading it clears it). */
    private static final IntegerUnixChannelOption SO_ERROR = new IntegerUnixChannelOption("SO_ERROR", 1, 4);

    private final Kind kind;
    private final AtomicInteger pseudoDescriptors = new AtomicInteger(100);

    private Transport(Kind kind) {
        this.kind = kind;
    }

    /**
     * The transport to run with: the one {@link #PROPERTY} (else {@link #ENVIRONMENT}) names, or
     * for {@code auto} (the default) the first available of epoll, io_uring, NIO. Inherited sockets
     * (-systemd) need epoll: Netty's io_uring and the JDK cannot adopt a descriptor.
     *
     * @throws StartupFailure (exit 1) for an unknown name, or a named transport that is unavailable
     */
    public static Transport choose(boolean inheritedSockets) throws StartupFailure {
        String wanted = configured();
        if (wanted.isEmpty() || wanted.equals("auto")) {
            for (Kind kind : Kind.values()) {
                if (kind.available() && (!inheritedSockets || kind == Kind.EPOLL)) {
                    return new Transport(kind);
                }
            }
            return new Transport(Kind.NIO); // inherited sockets then fail with adopt()'s message
        }
        for (Kind kind : Kind.values()) {
            if (kind.label().equals(wanted)) {
                if (!kind.available()) {
                    throw new StartupFailure(1, "transport " + wanted + " is not available: "
                            + kind.unavailabilityCause());
                }
                return new Transport(kind);
            }
        }
        throw new StartupFailure(1, "unknown transport \"" + wanted + "\" (" + PROPERTY
                + "): use auto, epoll, io_uring or nio");
    }

    /** The transport a daemon without inherited sockets would choose; an unusable setting is an error. */
    public static Transport best() {
        try {
            return choose(false);
        } catch (StartupFailure e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static String configured() {
        String wanted = System.getProperty(PROPERTY);
        if (wanted == null) {
            wanted = System.getenv(ENVIRONMENT);
        }
        return wanted == null ? "" : wanted.trim().toLowerCase(Locale.ROOT);
    }

    /** Which transport this is. */
    public Kind kind() {
        return kind;
    }

    /** True for epoll and io_uring: real descriptors, socket options by number (IPV6_V6ONLY, SO_REUSEPORT). */
    public boolean isNative() {
        return kind != Kind.NIO;
    }

    EventLoopGroup newGroup(int threads) {
        IoHandlerFactory handlers = switch (kind) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, handlers);
    }

    /** New listening sockets of the family; with epoll, ones that answer lookups at accept ({@link FastLookup}) if it is on. */
    ChannelFactory<ServerChannel> serverChannels(SocketProtocolFamily family, FastLookup fastLookup) {
        return switch (kind) {
            case EPOLL -> fastLookup.isOn()
                    ? () -> new AcceptHookEpollServerSocketChannel(family, fastLookup)
                    : () -> new EpollServerSocketChannel(family);
            case IO_URING -> () -> new FamilyIoUringServerSocketChannel(family);
            case NIO -> () -> new NioServerSocketChannel(SelectorProvider.provider(), family);
        };
    }


    /** A server channel on an inherited, already listening descriptor (systemd socket activation, a hand-over). */
    ServerChannel adopt(int fd, FastLookup fastLookup) {
        if (kind != Kind.EPOLL) {
            throw new IllegalStateException("inherited sockets need the native epoll transport");
        }
        return fastLookup.isOn() ? new AcceptHookEpollServerSocketChannel(fd, fastLookup) : new EpollServerSocketChannel(fd);
    }

    /**
     * A connected socket on a descriptor handed over by the daemon this one replaces
     * ({@code jepmd -restart}). Every transport that can adopt listening sockets must adopt
     * connections too; NIO and io_uring can do neither.
     */
    Channel adoptConnection(int fd) {
        if (kind != Kind.EPOLL) {
            throw new IllegalStateException("handed-over connections need the native epoll transport");
        }
        return new EpollSocketChannel(fd);
    }

    /**
     * The error the connection's next read would fail with, if the transport might never make that
     * read: Netty's io_uring channel, after a short read from a socket the peer reset before it
     * was accepted, waits for a poll completion that never comes, so neither the reset nor an EOF
     * is ever reported (epmd's next read() fails and it closes). One getsockopt() on io_uring; null
     * on the other transports, which report the reset themselves.
     */
    IOException pendingReadError(Channel channel) {
        if (kind != Kind.IO_URING) {
            return null;
        }
        Integer errno = channel.config().getOption(SO_ERROR);
        return errno == null || errno == 0 ? null : Errors.newIOException("io_uring read", -errno);
    }

    /**
     * The connection's descriptor number as DUMP shows it: the real fd with epoll and io_uring, a
     * counter with NIO (which hides descriptors).
     */
    int descriptor(Channel channel) {
        if (channel instanceof UnixChannel unix) {
            return unix.fd().intValue();
        }
        return pseudoDescriptors.incrementAndGet();
    }
}
