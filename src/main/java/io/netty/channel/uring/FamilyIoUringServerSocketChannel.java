package io.netty.channel.uring;

import io.netty.channel.Channel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.channel.socket.SocketProtocolFamily;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * jepmd's io_uring listening socket of a chosen address family. Netty's own
 * {@link IoUringServerSocketChannel} always opens an IPv6 socket where the kernel has IPv6 and binds
 * {@code 0.0.0.0} on it as a dual-stack {@code ::}, which collides with epmd's separate
 * {@code ::} (V6ONLY) and {@code ::1} sockets; an IPv4 address here gets a real AF_INET socket.
 * It lives in Netty's package because the channel's accept hook is package-private; compiled against
 * the Netty version in pom.xml, so a change of that hook fails the build, not the daemon.
 */
public final class FamilyIoUringServerSocketChannel extends AbstractIoUringServerChannel implements ServerSocketChannel {
    private final IoUringServerSocketChannelConfig config;

    public FamilyIoUringServerSocketChannel(SocketProtocolFamily family) {
        super(LinuxSocket.newSocketStream(family == SocketProtocolFamily.INET6), false);
        this.config = new IoUringServerSocketChannelConfig(this);
    }

    @Override
    public ServerSocketChannelConfig config() {
        return config;
    }

    @Override
    Channel newChildChannel(int fd, ByteBuffer acceptedAddress) {
        LinuxSocket child = new LinuxSocket(fd);
        if (acceptedAddress == null) {
            return new IoUringSocketChannel(this, child);
        }
        IoUringIoHandler handler = (IoUringIoHandler) registration().attachment();
        InetSocketAddress remote = child.isIpv6()
                ? SockaddrIn.getIPv6(acceptedAddress, handler.inet6AddressArray(), handler.inet4AddressArray())
                : SockaddrIn.getIPv4(acceptedAddress, handler.inet4AddressArray());
        return new IoUringSocketChannel(this, child, remote);
    }

    @Override
    public void doBind(SocketAddress localAddress) throws Exception {
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
}
