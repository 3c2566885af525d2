package org.jepmd.restart;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.Handover;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * The running daemon's hand-over socket ({@code jepmd -restart}): a Unix stream socket in a
 * directory only its user can enter ({@link HandoverPaths}), where a new daemon of the same user
 * (SO_PEERCRED) takes its sockets and registry over ({@link HandoverSession}). One hand-over at a
 * time; the socket itself goes to the new daemon with the rest.
 */
public final class RestartListener {
    private final EpmdServer server;
    private final Path path;
    private final int allowedUid;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean handedOver = new AtomicBoolean();
    private volatile Channel channel;

    private RestartListener(EpmdServer server, Path path, int allowedUid) {
        this.server = server;
        this.path = path;
        this.allowedUid = allowedUid;
    }

    /**
     * Listens on the hand-over socket of {@code server}'s port, replacing a stale socket left by a
     * daemon that died. Never fails the daemon: without it, only {@code -restart} is unavailable.
     *
     * @return the listener, or null (logged) when it cannot listen
     */
    public static RestartListener open(EpmdServer server, HandoverPaths paths) {
        return open(server, paths, Uid.current());
    }

    /** As {@link #open(EpmdServer, HandoverPaths)}, accepting hand-overs from {@code allowedUid} only. */
    public static RestartListener open(EpmdServer server, HandoverPaths paths, int allowedUid) {
        if (!server.canHandOver()) {
            LOG.debug("no hand-over socket: -restart needs the native epoll transport");
            return null;
        }
        Path path = paths.socket(server.config().bindPort());
        try {
            paths.secureDirectory();
            removeIfStale(path);
        } catch (IOException e) {
            LOG.warn("no hand-over socket for -restart: {}", e.getMessage());
            return null;
        }
        RestartListener listener = new RestartListener(server, path, allowedUid);
        ChannelFuture bound = listener.bootstrap()
                .channel(EpollServerDomainSocketChannel.class)
                .bind(new DomainSocketAddress(path.toString())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            LOG.warn("no hand-over socket for -restart: {}: {}", path, bound.cause().getMessage());
            return null;
        }
        listener.serveOn(bound.channel());
        return listener;
    }

    /** Serves the hand-over socket passed by the daemon this one replaced. */
    static RestartListener adopt(EpmdServer server, int fd, Path path) {
        RestartListener listener = new RestartListener(server, path, Uid.current());
        ChannelFuture registered = listener.bootstrap()
                .channelFactory(() -> new EpollServerDomainSocketChannel(fd, true)).register().awaitUninterruptibly();
        if (!registered.isSuccess()) {
            LOG.warn("no hand-over socket for -restart: {}", registered.cause().getMessage());
            return null;
        }
        listener.serveOn(registered.channel());
        return listener;
    }

    private ServerBootstrap bootstrap() {
        return new ServerBootstrap().group(server.eventLoops())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel session) {
                        session.pipeline().addLast(new HandoverSession(RestartListener.this));
                    }
                });
    }

    private void serveOn(Channel listening) {
        channel = listening;
        long inode = inode(path);
        // A daemon that stops for good takes its socket's name along, while it still holds the EPMD
        // port, so that no later daemon of that port can have put its own socket there yet; and only
        // if the name is still its socket's. One that handed over leaves the name to its successor.
        server.shutdownStarted().thenRun(() -> {
            if (!handedOver.get()) {
                removeIfStill(inode);
                // not a Netty close: it would delete whatever socket bears the name by then
                listening.deregister().addListener(f -> Handover.closeDescriptorOnly(listening));
            }
        });
    }

    private void removeIfStill(long inode) {
        try {
            if (inode != 0 && inode(path) == inode) {
                Files.delete(path);
            }
        } catch (IOException ignored) {
            // gone already; a stale socket is replaced by the next daemon
        }
    }

    /** The inode of the socket named {@code path}, or 0 when there is none. */
    private static long inode(Path path) {
        try {
            return (Long) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }

    /** A socket left behind by a dead daemon refuses connections: remove it. A live one is kept. */
    private static void removeIfStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IOException(path + " is served by another process");
        } catch (java.net.SocketException stale) {
            Files.delete(path);
        }
    }

    EpmdServer server() {
        return server;
    }

    Path path() {
        return path;
    }

    boolean allows(EpollDomainSocketChannel session) {
        try {
            int uid = session.peerCredentials().uid();
            if (uid == allowedUid) {
                return true;
            }
            LOG.warn("refused a hand-over from uid {} on {}", uid, path);
        } catch (IOException e) {
            LOG.warn("refused a hand-over: no peer credentials ({})", e.getMessage());
        }
        return false;
    }

    boolean begin() {
        return busy.compareAndSet(false, true);
    }

    void end() {
        busy.set(false);
    }

    /** The listening descriptor, to hand over with the rest. */
    int fd() {
        return ((EpollServerDomainSocketChannel) channel).fd().intValue();
    }

    /** Leaves the listening socket open for the new daemon and stops the old one. */
    void handedOver() {
        handedOver.set(true);
        channel.deregister().addListener(f -> {
            Handover.closeDescriptorOnly(channel); // a Netty close would delete the socket's name
            server.handedOver();
        });
    }
}
