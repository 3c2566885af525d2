package org.jepmd.logging;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SyslogAppenderTest {

    @Test
    void aDatagramIsWhatGlibcsSyslogSendsForEpmd() {
        // glibc pads a one-digit day with a space ("%e")
        assertEquals("<11>Nov  9 05:04:02 epmd: epmd: ** got NAMES_REQ",
                SyslogAppender.datagram(LocalDateTime.of(2026, 11, 9, 5, 4, 2), "** got NAMES_REQ"));
        assertEquals("<11>Dec 24 23:59:59 epmd: epmd: got KILL_REQ - terminates normal",
                SyslogAppender.datagram(LocalDateTime.of(2026, 12, 24, 23, 59, 59), "got KILL_REQ - terminates normal"));
    }
}
