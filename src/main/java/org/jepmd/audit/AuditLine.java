package org.jepmd.audit;

/**
 * One audit line in logfmt: {@code event=register name=a port=37011 peer=127.0.0.1:50123}. A value
 * is quoted when it is empty or holds a space, quote, equals sign, backslash or a character that
 * could forge or disguise a line; inside quotes, quote and backslash are escaped and those characters
 * written as {@code \\uXXXX}: C0 and C1 controls, DEL, the Unicode line and paragraph separators,
 * and the bidirectional controls (which reorder what a terminal or viewer shows).
 */
final class AuditLine {
    private final StringBuilder text = new StringBuilder(96);

    AuditLine(String event) {
        text.append("event=").append(event);
    }

    AuditLine add(String key, Object value) {
        text.append(' ').append(key).append('=');
        String s = String.valueOf(value);
        if (!needsQuotes(s)) {
            text.append(s);
            return this;
        }
        text.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                text.append('\\').append(c);
            } else if (disguising(c)) {
                text.append(String.format("\\u%04x", (int) c));
            } else {
                text.append(c);
            }
        }
        text.append('"');
        return this;
    }

    private static boolean needsQuotes(String s) {
        if (s.isEmpty()) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '"' || c == '=' || c == '\\' || disguising(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Controls (C0, DEL, C1: U+0085 is a line break to some readers, U+009B a terminal escape), the
     * line and paragraph separators U+2028 and U+2029, and the bidirectional controls: U+061C,
     * U+200E and U+200F, U+202A to U+202E, U+2066 to U+2069.
     */
    private static boolean disguising(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F
                || (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
