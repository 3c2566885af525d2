package org.jepmd.cli;

import org.jepmd.server.guard.ConnectionLimits;
import org.jepmd.server.guard.QueryAccess;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.TypeConversionException;

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
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A decimal integer of at least 1. */
    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = parse(value);
            if (n < 1) {
                throw new TypeConversionException("must be at least 1: " + value);
            }
            return n;
        }
    }

    /** A decimal integer of at least 0. */
    static final class NonNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = parse(value);
            if (n < 0) {
                throw new TypeConversionException("must be at least 0: " + value);
            }
            return n;
        }
    }

    private static int parse(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not a number: " + value);
        }
    }

    /** The limits from the options, defaults where absent; a usage error when they contradict. */
    static ConnectionLimits limits(CommandSpec spec, Integer total, Integer perPeer, Integer reserve,
                                   Integer ipv6PeerPrefix) {
        ConnectionLimits defaults = ConnectionLimits.forThisProcess();
        try {
            return new ConnectionLimits(total == null ? defaults.maxTotal() : total,
                    perPeer == null ? defaults.maxPerPeer() : perPeer,
                    reserve == null ? Math.min(defaults.loopbackReserve(), (total == null ? defaults.maxTotal() : total) - 1)
                            : reserve,
                    ipv6PeerPrefix == null ? defaults.ipv6PeerPrefix() : ipv6PeerPrefix);
        } catch (IllegalArgumentException e) {
            if (spec == null) {
                throw e;
            }
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
