package org.jepmd.cli;

import org.jepmd.server.guard.ConnectionLimits;
import org.jepmd.server.guard.QueryAccess;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Optional;

/** Converters and checks for jepmd's hardening options ({@code -allow_query}, connection caps). */
final class HardeningOptions {
    private HardeningOptions() {
    }

    /** {@code -allow_query 10.0.0.0/8,192.168.1.7}. */
    static final class QueryNetworks implements ITypeConverter<QueryAccess> {
        @Override
        public QueryAccess convert(String value) {
            try {
                return QueryAccess.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage()
                        + "; expected IP networks separated by commas, e.g. 10.0.0.0/8,fd00::/8,192.168.1.7");
            }
        }
    }

    /** A decimal integer within {@code [min, max]}; the error says what is expected. */
    abstract static class WholeNumberIn implements ITypeConverter<Integer> {
        private final int min;
        private final int max;
        private final String expected;

        WholeNumberIn(int min, int max, String expected) {
            this.min = min;
            this.max = max;
            this.expected = expected;
        }

        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected a whole number of at least " + min);
            }
            if (n < min || n > max) {
                throw new TypeConversionException(expected);
            }
            return n;
        }
    }

    /** A decimal integer of at least 1. */
    static final class Positive extends WholeNumberIn {
        Positive() {
            super(1, Integer.MAX_VALUE, "expected a whole number of at least 1");
        }
    }

    /** {@code -ipv6_peer_prefix}: a prefix length from 1 to 128. */
    static final class Ipv6Prefix extends WholeNumberIn {
        Ipv6Prefix() {
            super(1, 128, "expected a prefix length from 1 to 128");
        }
    }

    /** A decimal integer of at least 0. */
    static final class NonNegative extends WholeNumberIn {
        NonNegative() {
            super(0, Integer.MAX_VALUE, "expected a whole number of at least 0");
        }
    }

    /**
     * The limits from the options, defaults where absent. The loopback reserve comes on top of
     * {@code -max_connections}: non-loopback peers get at most {@code total} connections, loopback
     * peers (local nodes, {@code jepmd -names}, {@code -kill}) {@code reserve} more, so that a low cap
     * never locks the local operator out. Without {@code -max_connections} the default total, fitted
     * to the open-file limit, already holds the default reserve.
     */
    static ConnectionLimits limits(Integer total, Integer perPeer, Integer reserve, Integer ipv6PeerPrefix) {
        ConnectionLimits defaults = ConnectionLimits.forThisProcess();
        int kept = reserve == null ? defaults.loopbackReserve() : reserve;
        int shared = total == null ? defaults.remoteShare() : total;
        int withReserve = (int) Math.min(Integer.MAX_VALUE, (long) shared + kept);
        return new ConnectionLimits(withReserve, perPeer == null ? defaults.maxPerPeer() : perPeer,
                Math.min(kept, withReserve - 1), ipv6PeerPrefix == null ? defaults.ipv6PeerPrefix() : ipv6PeerPrefix);
    }

    /**
     * A warning for the log when the caps given exceed what the open-file limit leaves (then
     * {@code accept()} fails with EMFILE before a cap is reached), else empty. The default caps are
     * fitted to that limit already.
     */
    static Optional<String> beyondFileLimit(ConnectionLimits limits, Integer total) {
        ConnectionLimits fitted = ConnectionLimits.forThisProcess();
        if (total == null || fitted.maxTotal() >= ConnectionLimits.DEFAULT.maxTotal()
                || limits.maxTotal() <= fitted.maxTotal()) {
            return Optional.empty();
        }
        return Optional.of("-max_connections " + total + " and " + limits.loopbackReserve() + " kept for loopback"
                + " exceed the " + fitted.maxTotal() + " connections the open-file limit leaves room for:"
                + " accepting will fail for lack of descriptors before the cap is reached");
    }
}
