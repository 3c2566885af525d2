package org.jepmd.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.util.CachingDateFormatter;

/**
 * The audit line of {@code logback.xml}'s pattern
 * {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level jepmd.audit %msg%n} (and the stack trace a
 * pattern layout appends when an event carries one), written directly: Logback's pattern layout
 * would spin some 60 converter lambdas at every daemon start.
 */
public final class AuditLayout extends LayoutBase<ILoggingEvent> {
    private final CachingDateFormatter timestamps = new CachingDateFormatter("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    private final ThrowableProxyConverter stackTraces = new ThrowableProxyConverter();

    @Override
    public void start() {
        stackTraces.setContext(getContext());
        stackTraces.start();
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160)
                .append(timestamps.format(event.getTimeStamp()))
                .append(' ');
        String level = event.getLevel().toString();
        line.append(level);
        for (int pad = level.length(); pad < 5; pad++) {
            line.append(' ');
        }
        line.append(" jepmd.audit ").append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        if (event.getThrowableProxy() != null) {
            line.append(stackTraces.convert(event));
        }
        return line.toString();
    }
}
