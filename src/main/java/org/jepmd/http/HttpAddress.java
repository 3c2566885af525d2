package org.jepmd.http;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses {@code -http}'s value: {@code IPv4:PORT}, {@code [IPv6]:PORT}, or {@code :PORT} for all addresses. */
public final class HttpAddress {
    private HttpAddress() {
    }

    /**
     * @throws IllegalArgumentException with a message for the user when the value is not a numeric
     *                                  address and a port from 0 to 65535
     */
    public static InetSocketAddress parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected ADDRESS:PORT, got \"" + value + "\"");
        }
        String host = value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("invalid port in \"" + value + "\"");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("write an IPv6 address in brackets: [" + host + "]:" + port);
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip == null) {
            throw new IllegalArgumentException("not a numeric IP address: \"" + host + "\"");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
