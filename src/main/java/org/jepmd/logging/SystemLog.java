package org.jepmd.logging;

import ch.qos.logback.classic.Logger;
import org.jepmd.server.EpmdLog;
import org.slf4j.LoggerFactory;

/** Sends the {@code jepmd} logger's messages to the system log too, as a detached epmd does. */
public final class SystemLog {
    /** A system property naming another socket than {@code /dev/log} (for tests). */
    public static final String SOCKET_PROPERTY = "jepmd.syslogSocket";

    private SystemLog() {
    }

    /** Adds a {@link SyslogAppender} for {@code socket} to the {@code jepmd} logger; a no-op without Logback. */
    public static void attach(String socket) {
        if (!(LoggerFactory.getLogger(EpmdLog.NAME) instanceof Logger logger)) {
            return;
        }
        SyslogAppender appender = new SyslogAppender(socket);
        appender.setContext(logger.getLoggerContext());
        appender.setName("SYSLOG");
        appender.start();
        logger.addAppender(appender);
    }
}
