package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.FileDescriptor;
import org.jepmd.net.AcceptBatching;
import org.jepmd.server.guard.AcceptErrorHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Supplier;

/**
 * jepmd's epoll listening socket: like Netty's {@link EpollServerSocketChannel}, but each accepted
 * connection is first offered to an {@link AcceptHook}, which may serve it on the bare descriptor
 * (a lookup answered with accept, read, write, close) before Netty builds a channel for it.
 * It lives in Netty's package because the accept loop and the child channel's constructor are
 * package-private (as for {@code io.netty.channel.uring.FamilyIoUringServerSocketChannel}); compiled
 * against the Netty version in pom.xml, so a change of them fails the build, not the daemon.
 */
public final class AcceptHookEpollServerSocketChannel extends AbstractEpollServerChannel implements ServerSocketChannel {

    /** Decides on each accepted connection before a channel exists for it; runs on the listener's event loop. */
    public interface AcceptHook {
        /**
         * @param listener this listening socket, on whose event loop the hook runs
         * @param fd       the accepted, non-blocking connection; the hook closes it when it returns null
         * @param remote   its peer, from accept()
         * @param ordinary makes the connection's ordinary channel (at most once)
         * @return the channel to serve the connection, or null when the hook serves it (it may
         *         fire the ordinary channel through the listener's pipeline later)
         */
        Channel accepted(Channel listener, int fd, InetSocketAddress remote, Supplier<Channel> ordinary);
    }

    private final EpollServerChannelConfig config;
    private final AcceptHook hook;

    public AcceptHookEpollServerSocketChannel(SocketProtocolFamily family, AcceptHook hook) {
        super(LinuxSocket.newSocketStream(family), false);
        this.config = new EpollServerChannelConfig(this);
        this.hook = hook;
    }

    /** A listening socket on an inherited, already listening descriptor (systemd, a hand-over). */
    public AcceptHookEpollServerSocketChannel(int fd, AcceptHook hook) {
        super(new LinuxSocket(fd));
        this.config = new EpollServerChannelConfig(this);
        this.hook = hook;
    }

    @Override
    public EpollServerChannelConfig config() {
        return config;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        socket.listen(config.getBacklog());
        active = true;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] address, int offset, int length) {
        return new EpollSocketChannel(this, new LinuxSocket(fd), NativeInetAddress.address(address, offset, length));
    }

    @Override
    protected AbstractEpollUnsafe newUnsafe() {
        return new HookedAcceptUnsafe();
    }

    /**
     * Netty's accept loop (AbstractEpollServerChannel.EpollServerSocketUnsafe), with the hook before the
     * child channel, and one difference: where Netty's takes one connection per wake-up, it may take
     * more while they are queued, as {@link AcceptBatching} guesses. So it keeps no receive-allocator
     * handle: Netty's loop counts its accepts there only to ask it whether to accept again.
     */
    private final class HookedAcceptUnsafe extends AbstractEpollUnsafe {
        /** The peer's address from accept(): up to 24 bytes, after one byte of length. */
        private final byte[] acceptedAddress = new byte[25];
        private final AcceptBatching batching = new AcceptBatching();

        @Override
        void epollInReady() {
            ChannelConfig channelConfig = config();
            if (shouldBreakEpollInReady(channelConfig)) {
                clearEpollIn0();
                return;
            }
            ChannelPipeline pipeline = pipeline();
            Throwable exception = null;
            int accepted = 0;
            try {
                try {
                    do {
                        int fd = socket.accept(acceptedAddress);
                        if (accepted > 0) {
                            batching.looked(fd != -1);
                        }
                        if (fd == -1) {
                            break; // none left (EAGAIN)
                        }
                        readPending = false;
                        if (accepted++ == 0) {
                            pipeline.fireUserEventTriggered(AcceptErrorHandler.ACCEPTED);
                        }
                        Channel child = offer(fd);
                        if (child != null) {
                            pipeline.fireChannelRead(child);
                        }
                    } while (channelConfig.isAutoRead() && batching.lookAgain(accepted));
                } catch (Throwable t) {
                    exception = t;
                }
                pipeline.fireChannelReadComplete();
                if (exception != null) {
                    pipeline.fireExceptionCaught(exception);
                }
            } finally {
                if (shouldStopReading(channelConfig)) {
                    clearEpollIn();
                }
            }
        }

        private Channel offer(int fd) throws IOException {
            InetSocketAddress remote = NativeInetAddress.address(acceptedAddress, 1, acceptedAddress[0]);
            OrdinaryChannel ordinary = new OrdinaryChannel(fd, remote);
            try {
                return hook.accepted(AcceptHookEpollServerSocketChannel.this, fd, remote, ordinary);
            } catch (RuntimeException | Error e) {
                if (ordinary.made == null) {
                    new FileDescriptor(fd).close(); // the hook failed: the descriptor is nobody's
                }
                throw e;
            }
        }
    }

    /**
     * Makes an accepted connection's ordinary channel. A class rather than a lambda: C1, the
     * launcher's JIT, allocates a capturing lambda through a call into the VM, once per accept.
     */
    private final class OrdinaryChannel implements Supplier<Channel> {
        private final int fd;
        private final InetSocketAddress remote;
        private Channel made;

        OrdinaryChannel(int fd, InetSocketAddress remote) {
            this.fd = fd;
            this.remote = remote;
        }

        @Override
        public Channel get() {
            made = new EpollSocketChannel(AcceptHookEpollServerSocketChannel.this, new LinuxSocket(fd), remote);
            return made;
        }
    }
}
