package org.jepmd.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for systemd's notification socket or the system log: an AF_UNIX datagram socket in a temporary
 * directory that collects every message sent to it. Java 17 has no AF_UNIX datagrams, so it uses
 * Netty's epoll transport (the test is skipped, or failed in CI, without it).
 */
public final class DatagramListener implements AutoCloseable {
    private final Path dir;
    private final Path socket;
    private final EventLoopGroup group;
    private final Channel channel;
    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();

    public DatagramListener() throws Exception {
        if (!Epoll.isAvailable()) {
            Requirements.unavailable("Netty's native epoll transport: " + Epoll.unavailabilityCause());
        }
        dir = Files.createTempDirectory("jepmd-notify");
        socket = dir.resolve("notify");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        messages.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(socket.toString())).sync().channel();
    }

    /** The value for {@code NOTIFY_SOCKET}. */
    public String path() {
        return socket.toString();
    }

    /** The next message, waiting at most {@code millis}; null if none came. */
    public String next(long millis) throws InterruptedException {
        return messages.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Messages until one contains {@code wanted} (included), waiting at most {@code millis} in all. */
    public List<String> until(String wanted, long millis) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            String message = messages.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                    TimeUnit.MILLISECONDS);
            if (message == null) {
                break;
            }
            seen.add(message);
            if (message.contains(wanted)) {
                return seen;
            }
        }
        throw new AssertionError("no datagram containing " + wanted + " within " + millis + " ms; got " + seen);
    }

    @Override
    public void close() throws Exception {
        channel.close().await(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
