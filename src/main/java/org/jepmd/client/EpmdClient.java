package org.jepmd.client;

import org.jepmd.protocol.EpmdTag;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * epmd's interactive client ({@code epmd_cli.c}, docs/protocol.md, Interactive client):
 * {@code -names}, {@code -dump}, {@code -started}, {@code -kill} and {@code -stop NAME} against the
 * daemon on this host, with epmd's exact words, output streams and exit statuses.
 *
 * <p>It uses plain blocking sockets and touches neither Netty nor the logging system, so that it
 * starts fast. Every method returns the process exit status.
 */
public final class EpmdClient {
    private static final byte NAMES_REQ = (byte) EpmdTag.NAMES_REQ.value();
    private static final byte DUMP_REQ = (byte) EpmdTag.DUMP_REQ.value();
    private static final byte KILL_REQ = (byte) EpmdTag.KILL_REQ.value();
    private static final byte STOP_REQ = (byte) EpmdTag.STOP_REQ.value();
    /** epmd refuses {@code -stop} names longer than this many bytes before connecting. */
    private static final int MAX_STOP_NAME_BYTES = 1000;
    /** epmd's read size while copying a NAMES/DUMP reply ({@code OUTBUF_SIZE}). */
    private static final int COPY_BUFFER = 3060;

    private final int port;
    private final PrintStream out;
    private final PrintStream err;
    private final List<InetAddress> loopbacks;

    /**
     * A client for the daemon on {@code port} (taken modulo 65536, as epmd's {@code unsigned short}).
     *
     * @param out where replies go (epmd's stdout)
     * @param err where "Cannot connect" goes (epmd's stderr)
     */
    public EpmdClient(int port, PrintStream out, PrintStream err) {
        this.port = port & 0xFFFF;
        this.out = out;
        this.err = err;
        this.loopbacks = List.of(loopback(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                loopback(new byte[] {127, 0, 0, 1}));
    }

    /** {@code -names}: the header line with the daemon's port, then its name lines as sent. */
    public int names() {
        return call(NAMES_REQ, false);
    }

    /** {@code -dump}: like {@code -names} for DUMP_REQ; the raw reply, NUL bytes included. */
    public int dump() {
        return call(DUMP_REQ, false);
    }

    /** {@code -started}: a silent NAMES_REQ; 0 when a daemon answers, 1 otherwise, nothing printed. */
    public int started() {
        return call(NAMES_REQ, true);
    }

    /** {@code -kill}: {@code Killed} (0) or {@code Killing not allowed - living nodes in database.} (1). */
    public int kill() {
        try (Socket socket = connect(false)) {
            if (socket == null) {
                return 1;
            }
            if (!send(socket, new byte[] {0, 1, KILL_REQ})) {
                return 1;
            }
            byte[] answer = new byte[2];
            int got = readFill(socket.getInputStream(), answer);
            if (got == answer.length) {
                if (answer[0] == 'O' && answer[1] == 'K') {
                    return print("Killed\n", 0);
                }
                return print("Killing not allowed - living nodes in database.\n", 1);
            }
            return unexpectedAnswer(answer, got);
        } catch (IOException e) {
            return 1;
        }
    }

    /**
     * {@code -stop NAME}: the daemon's 7-byte answer ({@code STOPPED} or {@code NOEXIST}) and a
     * newline, exit 0. {@code name} is sent as the bytes the command line gave.
     */
    public int stop(byte[] name) {
        if (name.length > MAX_STOP_NAME_BYTES) {
            return print("epmd: Name too long!", 1); // epmd prints no newline here
        }
        try (Socket socket = connect(false)) {
            if (socket == null) {
                return 1;
            }
            byte[] request = new byte[3 + name.length];
            int length = name.length + 1;
            request[0] = (byte) (length >> 8);
            request[1] = (byte) length;
            request[2] = STOP_REQ;
            System.arraycopy(name, 0, request, 3, name.length);
            if (!send(socket, request)) {
                return 1;
            }
            byte[] answer = new byte[7];
            int got = readFill(socket.getInputStream(), answer);
            if (got == answer.length) {
                writeCString(answer, answer.length);
                out.write('\n');
                out.flush();
                return 0;
            }
            return unexpectedAnswer(answer, got);
        } catch (IOException e) {
            return 1;
        }
    }

    /** The bytes of a command-line argument as the C program received them. */
    public static byte[] argumentBytes(String argument) {
        String encoding = System.getProperty("sun.jnu.encoding");
        Charset charset = encoding != null && Charset.isSupported(encoding)
                ? Charset.forName(encoding) : Charset.defaultCharset();
        return argument.getBytes(charset);
    }

    /** NAMES_REQ or DUMP_REQ, as epmd's {@code epmd_call()}. */
    private int call(byte tag, boolean silent) {
        try (Socket socket = connect(silent)) {
            if (socket == null) {
                return 1;
            }
            if (!send(socket, new byte[] {0, 1, tag})) {
                return 1;
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[COPY_BUFFER];
            // epmd takes the port from exactly one read() that must return 4 bytes
            if (readOnce(in, buffer, 0, 4) != 4) {
                return silent ? 1 : print("epmd: no response from local epmd\n", 1);
            }
            int daemonPort = ((buffer[0] & 0xFF) << 24) | ((buffer[1] & 0xFF) << 16)
                    | ((buffer[2] & 0xFF) << 8) | (buffer[3] & 0xFF);
            if (!silent) {
                out.print("epmd: up and running on port " + daemonPort + " with data:\n");
            }
            int n;
            while ((n = readOnce(in, buffer, 0, buffer.length)) > 0) {
                if (!silent) {
                    out.write(buffer, 0, n);
                }
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            return 1;
        }
    }

    /** Connects to {@code [::1]:port}, else {@code 127.0.0.1:port}; null (after the message) if neither answers. */
    private Socket connect(boolean silent) {
        for (InetAddress address : loopbacks) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, port));
                return socket;
            } catch (IOException | IllegalArgumentException e) {
                closeQuietly(socket);
            }
        }
        if (!silent) {
            err.print("epmd: Cannot connect to local epmd\n");
            err.flush();
        }
        return null;
    }

    private boolean send(Socket socket, byte[] request) {
        try {
            OutputStream os = socket.getOutputStream();
            os.write(request);
            os.flush();
            return true;
        } catch (IOException e) {
            print("epmd: Can't write to epmd\n", 1);
            return false;
        }
    }

    /** epmd's answer to a short KILL or STOP reply: what {@link #readFill} kept, up to a NUL, in angle brackets. */
    private int unexpectedAnswer(byte[] answer, int got) {
        if (got < 0) {
            return print("epmd: failed to read answer from local epmd\n", 1);
        }
        out.print("epmd: local epmd responded with <");
        writeCString(answer, got);
        return print(">\n", 1);
    }

    /** Writes {@code bytes[0..limit)} up to the first NUL, as C's {@code printf("%s")}. */
    private void writeCString(byte[] bytes, int limit) {
        int end = 0;
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        out.write(bytes, 0, end);
    }

    private int print(String text, int status) {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1), 0, text.length());
        out.flush();
        return status;
    }

    /** One {@code read()}: the count, 0 at end of stream, -1 on a read error. */
    private static int readOnce(InputStream in, byte[] buffer, int offset, int length) {
        try {
            int n = in.read(buffer, offset, length);
            return Math.max(n, 0);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * epmd's {@code read_fill()}: reads until {@code buffer} is full and returns its length; at end of
     * stream it returns 0 and on a read error -1, even after a partial answer (so epmd's
     * "responded with" message always shows {@code <>}).
     */
    private static int readFill(InputStream in, byte[] buffer) {
        int got = 0;
        while (got < buffer.length) {
            int n = readOnce(in, buffer, got, buffer.length - got);
            if (n <= 0) {
                return n;
            }
            got += n;
        }
        return got;
    }

    private static InetAddress loopback(byte[] address) {
        try {
            return InetAddress.getByAddress("localhost", address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong address length
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
