package org.jepmd.net;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Peer addresses as operators write them: {@code 127.0.0.1:50123}, {@code [::1]:50123}. */
public final class Peers {
    private Peers() {
    }

    /** {@code address} without a host name: {@code ip:port}, IPv6 compressed and in brackets. */
    public static String text(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return text(inet.getAddress(), inet.getPort());
        }
        return String.valueOf(address);
    }

    private static String text(InetAddress ip, int port) {
        String literal = NetUtil.toAddressString(ip);
        return (literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal) + ":" + port;
    }
}
