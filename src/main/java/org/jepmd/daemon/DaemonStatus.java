package org.jepmd.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The detached daemon's side of {@code -daemon}: tells the waiting parent, once, whether it listens.
 * The parent passes the path of a Unix domain socket in a private directory through
 * {@value #ENV}; the daemon connects as soon as it starts and later writes one line,
 * {@code "<exit status> <message>"} (status 0 with no message: listening, or another daemon already
 * holds the port). A daemon that dies first closes the connection, which ends the parent's wait.
 */
public final class DaemonStatus {
    /** Environment variable naming the parent's status socket; set only in the detached child. */
    public static final String ENV = "JEPMD_DAEMON_STATUS";

    /** The connection to the parent, or null when the parent could not be reached. */
    private SocketChannel channel;

    /** Connects to the parent at once. */
    public DaemonStatus(Path socket) {
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel = null; // the parent timed out or was killed: nobody is waiting for the answer
        }
    }

    /** Reports to the parent, once; a parent that has gone away is ignored. */
    public void report(int exitStatus, String message) {
        if (channel == null) {
            return;
        }
        String line = exitStatus + " " + (message == null ? "" : message.replace('\n', ' ')) + "\n";
        try (SocketChannel reporting = channel) {
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                reporting.write(bytes);
            }
        } catch (IOException ignored) {
            // the parent timed out or was killed
        } finally {
            channel = null;
        }
    }

    /** Ignores SIGHUP, as epmd's daemon does, in case no new session could be made. */
    public static void ignoreHangup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException | UnsupportedOperationException ignored) {
            // no such signal here
        }
    }
}
