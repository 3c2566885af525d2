package org.jepmd.logging;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogLevelsTest {

    @Test
    void debugLevelsMapToLogbackLevels() {
        assertEquals(Level.WARN, LogLevels.forDebugLevel(0));
        assertEquals(Level.INFO, LogLevels.forDebugLevel(1));
        assertEquals(Level.DEBUG, LogLevels.forDebugLevel(2));
        assertEquals(Level.TRACE, LogLevels.forDebugLevel(3));
        assertEquals(Level.TRACE, LogLevels.forDebugLevel(7));
    }
}
