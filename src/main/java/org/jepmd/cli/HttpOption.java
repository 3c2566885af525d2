package org.jepmd.cli;

import org.jepmd.http.HttpAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * {@code -http}'s value: {@code 127.0.0.1:9436}, {@code [::1]:9436}, {@code :9436} (all addresses), or
 * {@code localhost:9436}, which is 127.0.0.1 (one address is bound; no name is looked up). Anything
 * else is refused with what was expected.
 */
final class HttpOption implements ITypeConverter<InetSocketAddress> {
    private static final String EXPECTED = "expected ADDRESS:PORT, e.g. 127.0.0.1:9436, [::1]:9436,"
            + " localhost:9436 or :9436 (all addresses)";
    private static final InetAddress IPV4_LOOPBACK = ipv4Loopback();

    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new TypeConversionException(EXPECTED);
        }
        String host = value.substring(0, colon);
        String port = value.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
            throw new TypeConversionException("the port must be a number from 0 to 65535; " + EXPECTED);
        }
        if (host.equalsIgnoreCase("localhost")) {
            return new InetSocketAddress(IPV4_LOOPBACK, Integer.parseInt(port));
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            throw new TypeConversionException("write an IPv6 address in brackets: [" + host + "]:" + port);
        }
        try {
            return HttpAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage() + "; " + EXPECTED);
        }
    }

    private static InetAddress ipv4Loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong address length
        }
    }
}
