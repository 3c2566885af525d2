package org.jepmd.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * C's {@code atoi()} as glibc implements it ({@code (int) strtol(s, NULL, 10)}), which epmd uses for
 * every number it reads (docs/protocol.md, Options): leading white space is skipped, an optional sign and the digits
 * that follow are read, the rest is ignored. No digits gives 0; a value beyond a {@code long}
 * saturates, and the result is the low 32 bits.
 */
public final class Atoi {
    private Atoi() {
    }

    /** The value of {@code text} as {@code atoi()} reads it; {@code null} reads as 0. */
    public static int parse(String text) {
        if (text == null) {
            return 0;
        }
        int i = 0;
        int n = text.length();
        while (i < n && isCSpace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        long value = 0;
        boolean saturated = false;
        for (; i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9'; i++) {
            int digit = text.charAt(i) - '0';
            if (!saturated) {
                if (value > (Long.MAX_VALUE - digit) / 10) {
                    saturated = true;
                } else {
                    value = value * 10 + digit;
                }
            }
        }
        if (saturated) {
            value = negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        } else if (negative) {
            value = -value;
        }
        return (int) value;
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /**
     * Reads an option value the way epmd reads {@code -port}, {@code -packet_timeout},
     * {@code -delay_accept} and {@code -delay_write}: with {@code atoi()}, where 0 (also any text
     * without leading digits) is a usage error.
     */
    public static final class NonZero implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int parsed = parse(value);
            if (parsed == 0) {
                throw new TypeConversionException("'" + value + "' reads as 0");
            }
            return parsed;
        }
    }
}
