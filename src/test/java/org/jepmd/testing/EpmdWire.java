package org.jepmd.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Raw EPMD bytes over a real socket, for tests: packets laid out field by field, and a connection
 * that records everything the daemon sends until it closes.
 */
public final class EpmdWire {
    private EpmdWire() {
    }

    /** {@code [Length:16][payload]}. */
    public static byte[] frame(byte[] payload) {
        byte[] out = new byte[payload.length + 2];
        out[0] = (byte) (payload.length >> 8);
        out[1] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 2, payload.length);
        return out;
    }

    /** Concatenates byte arrays. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Big-endian 16-bit. */
    public static byte[] u16(int value) {
        return new byte[] {(byte) (value >> 8), (byte) value};
    }

    /** UTF-8 bytes. */
    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** An ALIVE2_REQ payload (docs/protocol.md, ALIVE2_REQ) with explicit fields. */
    public static byte[] alive2(int port, int nodeType, int protocol, int highest, int lowest, byte[] name, byte[] extra) {
        return concat(new byte[] {'x'}, u16(port), new byte[] {(byte) nodeType, (byte) protocol},
                u16(highest), u16(lowest), u16(name.length), name, u16(extra.length), extra);
    }

    /** An ALIVE2_REQ payload as a modern OTP node sends it: type 77, protocol 0, versions 6/5, no Extra. */
    public static byte[] alive2(String name, int port) {
        return alive2(port, 77, 0, 6, 5, utf8(name), new byte[0]);
    }

    /** The same with versions 5/5, answered with the 4-byte ALIVE2_RESP. */
    public static byte[] alive2v5(String name, int port) {
        return alive2(port, 77, 0, 5, 5, utf8(name), new byte[0]);
    }

    /** A PORT_PLEASE2_REQ payload. */
    public static byte[] portPlease2(String name) {
        return concat(new byte[] {'z'}, utf8(name));
    }

    /** A NAMES_REQ payload. */
    public static byte[] names() {
        return new byte[] {'n'};
    }

    /** A connection to a daemon on loopback. */
    public static Conn connect(int port) {
        return connect("127.0.0.1", port);
    }

    /** A connection to a daemon at {@code host}. */
    public static Conn connect(String host, int port) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setTcpNoDelay(true);
            return new Conn(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether something accepts a TCP connection on {@code host:port} (within a second). */
    public static boolean accepts(String host, int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /** Sends one framed request on a new connection and returns all bytes until the daemon closes. */
    public static byte[] request(int port, byte[] payload) {
        try (Conn conn = connect(port)) {
            conn.send(frame(payload));
            return conn.readUntilClose(5000);
        }
    }

    /** One client connection. */
    public static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        /** The underlying socket. */
        public Socket socket() {
            return socket;
        }

        /** Writes raw bytes. */
        public Conn send(byte[] bytes) {
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Reads exactly {@code n} bytes, failing on close or after {@code timeoutMillis}. */
        public byte[] readExactly(int n, int timeoutMillis) {
            try {
                socket.setSoTimeout(timeoutMillis);
                return in.readNBytes(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Reads until the daemon closes the connection.
         *
         * @throws AssertionError if it is still open after {@code timeoutMillis}
         */
        public byte[] readUntilClose(int timeoutMillis) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buf = new byte[8192];
            try {
                while (true) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        throw new AssertionError("connection still open after " + timeoutMillis + " ms; got " + out.size() + " bytes");
                    }
                    socket.setSoTimeout((int) Math.max(1, left));
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (SocketTimeoutException e) {
                        continue;
                    }
                    if (n < 0) {
                        return out.toByteArray();
                    }
                    out.write(buf, 0, n);
                }
            } catch (java.net.SocketException e) {
                return out.toByteArray(); // reset by the daemon: closed
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** True if the daemon closes the connection (EOF or reset) within {@code timeoutMillis}, sending nothing. */
        public boolean closesSilentlyWithin(int timeoutMillis) {
            try {
                return readUntilClose(timeoutMillis).length == 0;
            } catch (AssertionError stillOpen) {
                return false;
            }
        }

        /** True if the connection is still open (no EOF, no data) after waiting {@code millis}. */
        public boolean staysOpenFor(int millis) {
            try {
                socket.setSoTimeout(millis);
                int b = in.read();
                return false; // data or EOF
            } catch (SocketTimeoutException e) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
