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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Tells the service manager about the daemon's state, as {@code sd_notify()} does: one AF_UNIX
 * datagram of {@code KEY=VALUE} lines to the socket named by {@code NOTIFY_SOCKET} (a path, or
 * {@code @name} in the abstract namespace). Without {@code NOTIFY_SOCKET} every call does nothing;
 * a failed send is logged and ignored, never fatal, as in epmd.
 */
public final class SystemdNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("jepmd.systemd");
    private static final long SEND_TIMEOUT_MILLIS = 2000;

    private final String socket;
    private EventLoopGroup group;
    private Channel channel;

    private SystemdNotifier(String socket) {
        this.socket = socket;
    }

    /** A notifier for {@code NOTIFY_SOCKET}, inactive when it is unset. */
    public static SystemdNotifier fromEnvironment() {
        return to(System.getenv("NOTIFY_SOCKET"));
    }

    /** A notifier for {@code socket} ({@code NOTIFY_SOCKET}'s syntax); inactive when null or empty. */
    public static SystemdNotifier to(String socket) {
        return new SystemdNotifier(socket == null || socket.isEmpty() ? null : socket);
    }

    /** {@code READY=1}, the status line, and this process as the main pid. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    /** {@code STOPPING=1}: shutdown has begun. */
    public void stopping() {
        send("STOPPING=1");
    }

    /** epmd's last word on every exit path: {@code STATUS=Exited.} and the exit status. */
    public void exited(int status) {
        send("STATUS=Exited.\nERRNO=" + status);
    }

    /**
     * Sends one datagram and waits (bounded) until it is written.
     *
     * @return true if it was sent
     */
    public synchronized boolean send(String state) {
        if (socket == null) {
            return false;
        }
        try {
            Channel ch = channel();
            ChannelFuture sent = ch.writeAndFlush(Unpooled.copiedBuffer(state, StandardCharsets.UTF_8));
            if (!sent.await(SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || !sent.isSuccess()) {
                LOG.debug("sd_notify to {} failed: {}", socket, sent.cause());
                return false;
            }
            return true;
        } catch (Exception e) {
            LOG.debug("sd_notify to {} failed: {}", socket, e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    private Channel channel() throws InterruptedException {
        if (channel != null && channel.isActive()) {
            return channel;
        }
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("sd_notify needs the native epoll transport", Epoll.unavailabilityCause());
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

    /** Closes the datagram socket and its event loop. */
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
