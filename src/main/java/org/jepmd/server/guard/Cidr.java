package org.jepmd.server.guard;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 network, {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a single host.
 * An IPv4-mapped IPv6 peer ({@code ::ffff:a.b.c.d}) arrives as IPv4 from the JDK and is matched as IPv4.
 *
 * @param network the network's address bytes (host bits cleared)
 * @param prefix  the number of leading bits that must match
 */
public record Cidr(byte[] network, int prefix) {

    public Cidr {
        network = network.clone();
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range for a "
                    + (network.length * 8) + "-bit address");
        }
    }

    /**
     * Parses {@code address[/prefix]}; only numeric addresses, no host names.
     *
     * @throws IllegalArgumentException naming the bad token
     */
    public static Cidr parse(String text) {
        String token = text.trim();
        int slash = token.indexOf('/');
        String host = slash < 0 ? token : token.substring(0, slash);
        if (host.isEmpty() || !(host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw new IllegalArgumentException("not a numeric IP network: '" + text + "'");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(host).getAddress(); // numeric: no name lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a numeric IP network: '" + text + "'", e);
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(token.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'", e);
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range in '" + text + "'");
        }
        return new Cidr(mask(bytes, prefix), prefix);
    }

    /** The network of {@code prefix} bits around {@code address}: {@code 2001:db8::/64} for {@code 2001:db8::7}, 64. */
    public static Cidr around(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        int bits = Math.min(prefix, bytes.length * 8);
        return new Cidr(mask(bytes, bits), bits);
    }

    /** True if {@code address} lies in this network (same family only). */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == network.length && java.util.Arrays.equals(mask(bytes, prefix), network);
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xFF00 >> bits);
        }
        return out;
    }

    /** A copy of the network's address bytes. */
    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
