package org.jepmd.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.jepmd.server.EpmdLog;
import org.jepmd.systemd.UnixDatagramSender;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A detached daemon's messages to the system log, as epmd's {@code dbg_gen_printf()} sends them in
 * daemon mode: {@code syslog(LOG_ERR, "epmd: %s", message)} without an {@code openlog()}, which
 * glibc writes to {@code /dev/log} as one datagram
 * {@code <11>Nov 29 05:04:42 epmd: epmd: epmd running - daemon = 1} (facility user, severity err,
 * ident {@code epmd}, no pid). Lines epmd writes only to a terminal ({@code dbg_tty_printf()}:
 * {@link #TERMINAL_ONLY}) or with a bare {@code fprintf(stderr, ...)} ({@link EpmdLog#RAW}) are not
 * sent. With no socket there, messages are dropped, as glibc drops them.
 */
public final class SyslogAppender extends AppenderBase<ILoggingEvent> {
    /** Where glibc's {@code syslog()} writes. */
    public static final String DEV_LOG = "/dev/log";
    /** LOG_USER (1 << 3) | LOG_ERR (3): what {@code syslog(LOG_ERR, ...)} sends without {@code openlog()}. */
    private static final int PRIORITY = 11;
    /** glibc's {@code "%h %e %T"}: the day of the month padded with a space. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

    /**
     * The beginnings of the messages epmd logs with {@code dbg_tty_printf()} rather than
     * {@code dbg_printf()} ({@code epmd_srv.c}, {@code epmd.c}): a detached epmd never sends them.
     */
    static final List<String> TERMINAL_ONLY = List.of(
            "there is already a epmd running", "try to initiate listening port", "entering the main select() loop",
            "cannot parse IP address", "systemd provides no sockets", "fork a daemon", "daemon child is",
            "Local peer connected", "Non-local peer connected", "opening connection on file descriptor",
            "failed opening connection", "closing connection on file descriptor",
            "closing because timed out on receive", "error on ALIVE socket", "got more than expected on ALIVE socket",
            "** sent ", "** failed to send ", "failed to send ", "epmd killed", "epmd connection stopped",
            "registering '", "type ", "reusing slot with same name", "unregistering '",
            "trying to unregister node with unknown");

    private final UnixDatagramSender log;

    public SyslogAppender(String socket) {
        this.log = new UnixDatagramSender(socket);
    }

    /** The datagram for {@code message} logged at {@code time}. */
    static String datagram(LocalDateTime time, String message) {
        return "<" + PRIORITY + ">" + TIMESTAMP.format(time) + " epmd: epmd: " + message;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if ((event.getMarkerList() != null && event.getMarkerList().contains(EpmdLog.RAW))
                || TERMINAL_ONLY.stream().anyMatch(message::startsWith)) {
            return;
        }
        try {
            log.send(datagram(LocalDateTime.now(), message).getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception dropped) {
            // no system log listening: dropped, as glibc's syslog() drops it
        }
    }

    @Override
    public void stop() {
        super.stop();
        log.close();
    }
}
