package org.jepmd.client;

import org.jepmd.protocol.EpmdReplies;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code jepmd -info}: asks the daemon on this host's port with jepmd's own JEPMD_INFO_REQ
 * (docs/protocol.md) and prints its answer; epmd closes such a request unanswered, so then the
 * daemon is not jepmd. Exit status 0 for a jepmd, 1 otherwise.
 */
public final class JepmdInfoClient {
    private static final byte[] REQUEST = {0, 1, 'i'};
    private static final byte[] MAGIC = (EpmdReplies.JEPMD_INFO_MAGIC + "\n").getBytes(StandardCharsets.US_ASCII);
    /** The answer is a few short lines; anything longer is not jepmd's. */
    private static final int MAX_ANSWER = 64 * 1024;
    /** A daemon that neither answers nor closes is not jepmd either. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final int port;
    private final PrintStream out;
    private final PrintStream err;

    /** A client for the daemon on {@code port} (modulo 65536, as the other client actions). */
    public JepmdInfoClient(int port, PrintStream out, PrintStream err) {
        this.port = port & 0xFFFF;
        this.out = out;
        this.err = err;
    }

    /** Prints the daemon's {@code key: value} lines and returns 0, or says it is not jepmd and returns 1. */
    public int info() {
        try (Socket socket = connect()) {
            if (socket == null) {
                err.print("epmd: Cannot connect to local epmd\n");
                err.flush();
                return 1;
            }
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.getOutputStream().write(REQUEST);
            byte[] answer = readAll(socket.getInputStream());
            if (answer.length >= MAGIC.length && Arrays.equals(answer, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                out.write(answer, MAGIC.length, answer.length - MAGIC.length);
                out.flush();
                return 0;
            }
        } catch (IOException e) {
            // reset, timed out: not an answer from jepmd
        }
        out.print("epmd: the daemon on port " + port + " is not jepmd\n");
        out.flush();
        return 1;
    }

    /** {@code [::1]:port}, else {@code 127.0.0.1:port}, as epmd's client tries them; null if neither answers. */
    private Socket connect() {
        for (String address : new String[] {"::1", "127.0.0.1"}) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(InetAddress.getByName(address), port));
                return socket;
            } catch (IOException | IllegalArgumentException e) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
        return null;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        byte[] answer = in.readNBytes(MAX_ANSWER + 1);
        return answer.length > MAX_ANSWER ? new byte[0] : answer;
    }
}
