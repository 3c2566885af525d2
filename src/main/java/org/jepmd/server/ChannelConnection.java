package org.jepmd.server;

import io.netty.channel.Channel;

import java.net.SocketAddress;

/** A Netty channel as {@link RequestLogic} sees a connection; the registry's owner of its registration. */
record ChannelConnection(Channel channel, SocketAddress peer, boolean isLocal, int fd) implements RequestLogic.Connection {

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public void whenClosed(Runnable action) {
        channel.closeFuture().addListener(f -> action.run());
    }
}
