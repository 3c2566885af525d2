package org.jepmd.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A node name as epmd sees it: the raw bytes, compared byte for byte (docs/protocol.md, Node names).
 * Immutable; {@link #toString()} decodes it as UTF-8 for display only.
 */
public final class NodeName {
    private final byte[] bytes;
    private final int hash;

    private NodeName(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** A name holding a copy of {@code bytes}. */
    public static NodeName of(byte[] bytes) {
        return new NodeName(bytes.clone());
    }

    /** A name holding the UTF-8 bytes of {@code name}. */
    public static NodeName of(String name) {
        return new NodeName(name.getBytes(StandardCharsets.UTF_8));
    }

    static NodeName wrap(byte[] bytes) {
        return new NodeName(bytes);
    }

    /** A copy of the name's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The name's own array, for encoders in this package: never modify it. */
    byte[] raw() {
        return bytes;
    }

    /** Number of bytes in the name. */
    public int length() {
        return bytes.length;
    }

    /**
     * The number of code points if the name is valid UTF-8 as epmd's {@code verify_utf8()} sees it,
     * else -1. Strict, as the JDK's reporting decoder is: stray continuation bytes, overlong forms,
     * surrogates, values above U+10FFFF and truncated sequences are rejected. Allocation-free: every
     * PORT_PLEASE2 and ALIVE2 runs it.
     */
    public int utf8CodePoints() {
        int count = 0;
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i] & 0xFF;
            int extra;
            int min;
            int lowSecond = 0x80;
            int highSecond = 0xBF;
            if (b < 0x80) {
                i++;
                count++;
                continue;
            } else if (b >= 0xC2 && b <= 0xDF) {
                extra = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                extra = 2;
                if (b == 0xE0) {
                    lowSecond = 0xA0; // no overlong 3-byte forms
                } else if (b == 0xED) {
                    highSecond = 0x9F; // no surrogates
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                extra = 3;
                if (b == 0xF0) {
                    lowSecond = 0x90; // no overlong 4-byte forms
                } else if (b == 0xF4) {
                    highSecond = 0x8F; // nothing above U+10FFFF
                }
            } else {
                return -1; // continuation byte, C0/C1 or F5..FF as a lead byte
            }
            if (i + extra >= n) {
                return -1; // truncated
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < lowSecond || second > highSecond) {
                return -1;
            }
            for (int k = 2; k <= extra; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return -1;
                }
            }
            i += extra + 1;
            count++;
        }
        return count;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeName && Arrays.equals(bytes, ((NodeName) other).bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The name decoded as UTF-8 (invalid bytes replaced), for logs and display. */
    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
