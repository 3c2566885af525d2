package org.jepmd.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The detached daemon's side of {@code -daemon}: tells the waiting parent, once, whether it listens,
 * in one line {@code "<exit status> <message>"} (status 0 with no message: listening, or another
 * daemon already holds the port). {@value #ENV} says where:
 * <ul>
 *   <li>the path of a Unix domain socket in the parent's private directory ({@code -daemon}'s
 *   parent JVM): the daemon connects as soon as it starts; one that dies first closes the
 *   connection, which ends the parent's wait;</li>
 *   <li>{@value #ON_STDERR} ({@code jepmd -restart}, whose launcher reads the new daemon's stderr
 *   through a pipe): the line goes to stderr after {@link #STDERR_MARK}, which tells it from the
 *   lines printed before it; the pipe's end, when the daemon dies first, ends the wait.</li>
 * </ul>
 */
public final class DaemonStatus {
    /** Environment variable naming where the parent waits; set only in the detached child. */
    public static final String ENV = "JEPMD_DAEMON_STATUS";
    /** {@link #ENV}'s value for a report on stderr. */
    public static final String ON_STDERR = "stderr";
    /** What starts the report on stderr (ASCII's record separator, which no message starts with). */
    public static final char STDERR_MARK = '\u001e';

    /** The connection to the parent, or null when the parent could not be reached or was told. */
    private SocketChannel channel;
    /** stderr, for a report there; null when the report goes to a socket or was made. */
    private PrintStream stderr;

    /** Connects to the parent at once. */
    public DaemonStatus(Path socket) {
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel = null; // the parent timed out or was killed: nobody is waiting for the answer
        }
    }

    private DaemonStatus(PrintStream stderr) {
        this.stderr = stderr;
    }

    /**
     * Where {@link #ENV}'s {@code value} says: {@code stderr} on {@value #ON_STDERR}, else a socket.
     * On {@value #ON_STDERR}, {@link System#err} (the log's console, the JDK's messages) goes nowhere
     * from now on, as a detached daemon's stderr does: the parent reads only what the command
     * printed on {@code stderr} and the report.
     */
    public static DaemonStatus to(String value, PrintStream stderr) {
        if (!ON_STDERR.equals(value)) {
            return new DaemonStatus(Path.of(value));
        }
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        return new DaemonStatus(stderr);
    }

    /** Reports to the parent, once; a parent that has gone away is ignored. */
    public void report(int exitStatus, String message) {
        String line = exitStatus + " " + (message == null ? "" : message.replace('\n', ' ')) + "\n";
        if (stderr != null) {
            stderr.print(STDERR_MARK + line);
            stderr.flush();
            stderr = null;
            return;
        }
        if (channel == null) {
            return;
        }
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
