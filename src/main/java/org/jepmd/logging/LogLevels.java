package org.jepmd.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.jepmd.server.EpmdLog;
import org.slf4j.LoggerFactory;

/**
 * Maps epmd's debug level (the number of {@code -d} flags) to the level of the {@code "jepmd"}
 * logger (docs/protocol.md, Log lines): 0 → WARN (epmd's always-printed level-0 messages), 1 → INFO, 2 → DEBUG
 * (hex dumps), 3 or more → TRACE. Applied before the daemon logs anything.
 */
public final class LogLevels {
    private LogLevels() {
    }

    /** The Logback level for {@code debugLevel} {@code -d} flags. */
    public static Level forDebugLevel(int debugLevel) {
        if (debugLevel <= 0) {
            return Level.WARN;
        }
        if (debugLevel == 1) {
            return Level.INFO;
        }
        return debugLevel == 2 ? Level.DEBUG : Level.TRACE;
    }

    /**
     * Sets the {@code "jepmd"} logger's level. Without {@code -d}, a level set by the user's own
     * Logback configuration ({@code -Dlogback.configurationFile}) is kept.
     */
    public static void apply(int debugLevel) {
        if (!(LoggerFactory.getLogger(EpmdLog.NAME) instanceof Logger logger)) {
            return; // another SLF4J backend: its configuration decides
        }
        if (debugLevel > 0 || logger.getLevel() == null) {
            logger.setLevel(forDebugLevel(debugLevel));
        }
    }
}
