package org.jepmd.systemd;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Tells the service manager about the daemon's state, as {@code sd_notify()} does: one AF_UNIX
 * datagram of {@code KEY=VALUE} lines to the socket named by {@code NOTIFY_SOCKET} (a path, or
 * {@code @name} in the abstract namespace). Without {@code NOTIFY_SOCKET} every call does nothing;
 * a failed send is logged and ignored, never fatal, as in epmd.
 */
public final class SystemdNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("jepmd.systemd");

    /** Null when there is no notification socket. */
    private final UnixDatagramSender sender;

    private SystemdNotifier(String socket) {
        this.sender = socket == null ? null : new UnixDatagramSender(socket);
    }

    /** A notifier for {@code NOTIFY_SOCKET}, inactive when it is unset. */
    public static SystemdNotifier fromEnvironment() {
        return to(System.getenv("NOTIFY_SOCKET"));
    }

    /** A notifier for {@code socket} ({@code NOTIFY_SOCKET}'s syntax); inactive when null or empty. */
    public static SystemdNotifier to(String socket) {
        return new SystemdNotifier(socket == null || socket.isEmpty() ? null : socket);
    }

    /** {@code READY=1}, the status line, and this process as the main pid. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    /** {@code STOPPING=1}: shutdown has begun. */
    public void stopping() {
        send("STOPPING=1");
    }

    /** epmd's last word on every exit path: {@code STATUS=Exited.} and the exit status. */
    public void exited(int status) {
        send("STATUS=Exited.\nERRNO=" + status);
    }

    /**
     * Sends one datagram and waits (bounded) until it is written.
     *
     * @return true if it was sent
     */
    public boolean send(String state) {
        if (sender == null) {
            return false;
        }
        try {
            sender.send(state.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (Exception e) {
            LOG.debug("sd_notify to {} failed: {}", sender.socket(), e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    /** Closes the datagram socket and its event loop. */
    @Override
    public void close() {
        if (sender != null) {
            sender.close();
        }
    }
}
