package org.jepmd.http;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

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

    /**
     * A peer the registry recorded as {@code String.valueOf(InetSocketAddress)}, that is
     * {@code /ip:port} or {@code /[ip]:port}, in the same form as {@link #text(SocketAddress)}.
     */
    public static String text(String recorded) {
        if (recorded == null) {
            return "";
        }
        String s = recorded.startsWith("/") ? recorded.substring(1) : recorded;
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            return s;
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        try {
            return ip == null ? s : text(InetAddress.getByAddress(ip), Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException | UnknownHostException e) {
            return s;
        }
    }

    private static String text(InetAddress ip, int port) {
        String literal = NetUtil.toAddressString(ip);
        return (literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal) + ":" + port;
    }
}
