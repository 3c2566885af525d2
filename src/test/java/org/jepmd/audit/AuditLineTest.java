package org.jepmd.audit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AuditLineTest {

    @Test
    void plainValuesStayBareAndOthersAreQuotedAndEscaped() {
        String line = new AuditLine("register").add("name", "plain@host").add("port", 4369)
                .add("empty", "").add("spaced", "a b").add("quote", "say \"hi\"\\").add("ctl", "a\nb")
                .add("eq", "k=v").toString();
        assertEquals("event=register name=plain@host port=4369 empty=\"\" spaced=\"a b\" "
                + "quote=\"say \\\"hi\\\"\\\\\" ctl=\"a\\u000ab\" eq=\"k=v\"", line);
    }

    @Test
    void unicodeNamesAreKeptAsTheyAre() {
        assertEquals("event=register name=nøde", new AuditLine("register").add("name", "nøde").toString());
    }
}
