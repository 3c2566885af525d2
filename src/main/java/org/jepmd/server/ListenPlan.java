package org.jepmd.server;

import io.netty.util.NetUtil;
import org.jepmd.protocol.Epmd;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which addresses the daemon listens on (docs/protocol.md, Address list).
 * <ul>
 *   <li>No address list: {@code 0.0.0.0} and {@code ::}, the IPv6 socket V6ONLY.</li>
 *   <li>An address list: the loopbacks {@code 127.0.0.1} and {@code ::1} first, whose bind failure
 *       is not fatal, then each numeric address of the list. As in the 2026 upstream fix, a family's
 *       loopback is not added when the list holds that family's wildcard, which already covers it.</li>
 * </ul>
 */
public final class ListenPlan {
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /**
     * One listening address.
     *
     * @param address   where to bind
     * @param implicit  an added loopback, whose bind failure is logged and skipped
     */
    public record Entry(InetAddress address, boolean implicit) {
    }

    private ListenPlan() {
    }

    /** Splits an {@code -address}/{@code ERL_EPMD_ADDRESS} value on commas and spaces. */
    public static List<String> tokens(String list) {
        List<String> tokens = new ArrayList<>();
        if (list != null) {
            for (String token : list.split("[, ]+")) {
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        return tokens;
    }

    /**
     * The listening addresses for the given tokens.
     *
     * @throws StartupFailure (exit 1) for a token that is not a numeric address, or for more than
     *                        {@value Epmd#MAX_LISTEN_SOCKETS} - 1 sockets
     */
    public static List<Entry> of(List<String> tokens) throws StartupFailure {
        List<Entry> entries = new ArrayList<>();
        if (tokens.isEmpty()) {
            entries.add(new Entry(address("0.0.0.0"), false));
            entries.add(new Entry(address("::"), false));
            return entries;
        }
        List<InetAddress> explicit = new ArrayList<>();
        for (String token : tokens) {
            explicit.add(parse(token));
        }
        InetAddress loopback4 = address("127.0.0.1");
        InetAddress loopback6 = address("::1");
        if (explicit.stream().noneMatch(a -> a instanceof Inet4Address && a.isAnyLocalAddress())) {
            entries.add(new Entry(loopback4, true));
        }
        if (explicit.stream().noneMatch(a -> a instanceof Inet6Address && a.isAnyLocalAddress())) {
            entries.add(new Entry(loopback6, true));
        }
        for (InetAddress address : explicit) {
            if (address.equals(loopback4) || address.equals(loopback6)) {
                continue; // bound as the implicit loopback already (or covered by the wildcard)
            }
            if (entries.size() + 1 >= Epmd.MAX_LISTEN_SOCKETS) {
                throw StartupFailure.tooManySockets();
            }
            entries.add(new Entry(address, false));
        }
        return entries;
    }

    /** A numeric IPv6 or IPv4 address as {@code inet_pton()} takes it: no names, brackets or zones. */
    static InetAddress parse(String token) throws StartupFailure {
        boolean numeric = IPV4.matcher(token).matches()
                || (token.indexOf(':') >= 0 && token.indexOf('[') < 0 && token.indexOf('%') < 0
                && NetUtil.isValidIpV6Address(token));
        if (!numeric) {
            throw new StartupFailure(1, "cannot parse IP address \"" + token + "\"");
        }
        return address(token);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
