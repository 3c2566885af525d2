package org.jepmd.protocol;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A node name as epmd sees it: the raw bytes, compared byte for byte (spec 3.1).
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

    /** True if any byte of the name is NUL. */
    public boolean containsNul() {
        for (byte b : bytes) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The number of code points if the name is valid UTF-8 as epmd's {@code verify_utf8()} sees it,
     * else -1. A strict decoder rejects exactly what epmd rejects: stray continuation bytes,
     * overlong forms, surrogates, values above U+10FFFF and truncated sequences.
     */
    public int utf8CodePoints() {
        try {
            CharSequence chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return Character.codePointCount(chars, 0, chars.length());
        } catch (CharacterCodingException e) {
            return -1;
        }
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
