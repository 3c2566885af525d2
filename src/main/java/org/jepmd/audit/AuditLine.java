package org.jepmd.audit;

/**
 * One audit line in logfmt: {@code event=register name=a port=37011 peer=127.0.0.1:50123}. A value
 * is quoted when it is empty or holds a space, quote, equals sign or control character; inside
 * quotes, quote and backslash are escaped and control characters written as {@code \\uXXXX}.
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
            } else if (c < 0x20 || c == 0x7F) {
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
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7F) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
