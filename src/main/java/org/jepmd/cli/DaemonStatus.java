package org.jepmd.cli;

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
 * {@value #ENV}; the daemon connects and writes one line, {@code "<exit status> <message>"}
 * (status 0 with no message: listening, or another daemon already holds the port).
 */
public final class DaemonStatus {
    /** Environment variable naming the parent's status socket; set only in the detached child. */
    public static final String ENV = "JEPMD_DAEMON_STATUS";

    private final Path socket;

    DaemonStatus(Path socket) {
        this.socket = socket;
    }

    /** Reports to the parent; a parent that has gone away is ignored. */
    public void report(int exitStatus, String message) {
        String line = exitStatus + " " + (message == null ? "" : message.replace('\n', ' ')) + "\n";
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException ignored) {
            // the parent timed out or was killed: nobody is waiting for the answer
        }
    }

    /** Ignores SIGHUP, as epmd's daemon does, in case no new session could be made. */
    static void ignoreHangup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException | UnsupportedOperationException ignored) {
            // no such signal here
        }
    }
}
