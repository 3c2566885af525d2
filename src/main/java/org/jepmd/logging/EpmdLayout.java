package org.jepmd.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import org.slf4j.Marker;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * epmd's log line (docs/protocol.md, Log lines, {@code dbg_gen_printf()}): {@code epmd: <ctime>: <message>\r\n},
 * where ctime is C's {@code ctime()} without its newline, e.g. {@code Sun Nov  2 01:43:12 2026}.
 */
public final class EpmdLayout extends LayoutBase<ILoggingEvent> {
    /** C's ctime(): day of month padded with a space to two characters. */
    private static final DateTimeFormatter CTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    private static final String RAW_MARKER = "EPMD_RAW";

    private ZoneId zone = ZoneId.systemDefault();

    @Override
    public String doLayout(ILoggingEvent event) {
        if (raw(event)) {
            return event.getFormattedMessage() + "\r\n";
        }
        StringBuilder line = new StringBuilder(96)
                .append("epmd: ")
                .append(CTIME.format(Instant.ofEpochMilli(event.getTimeStamp()).atZone(zone)))
                .append(": ")
                .append(event.getFormattedMessage());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(": ").append(thrown.getMessage());
            if (event.getLevel().levelInt <= ch.qos.logback.classic.Level.DEBUG_INT) {
                line.append("\r\n").append(ThrowableProxyUtil.asString(thrown));
            }
        }
        return line.append("\r\n").toString();
    }

    /** Lines epmd prints without its prefix (marked {@code EPMD_RAW}, see {@code org.jepmd.server.EpmdLog#RAW}). */
    private static boolean raw(ILoggingEvent event) {
        List<Marker> markers = event.getMarkerList();
        if (markers == null) {
            return false;
        }
        for (Marker marker : markers) {
            if (RAW_MARKER.equals(marker.getName())) {
                return true;
            }
        }
        return false;
    }

    /** Overrides the time zone (tests); the default is the system's, as ctime() uses. */
    public void setZone(String zoneId) {
        this.zone = ZoneId.of(zoneId);
    }
}
