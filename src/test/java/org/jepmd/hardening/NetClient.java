package org.jepmd.hardening;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A raw EPMD request sent from inside a network namespace by a small Python client: one connection,
 * the bytes sent, everything read until the daemon closes (or 3 s pass).
 */
final class NetClient {
    private static final String SCRIPT = String.join("\n",
            "import socket, sys",
            "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)",
            "s.sendall(bytes.fromhex(sys.argv[3]))",
            "got = b''",
            "state = 'closed'",
            "try:",
            "    while True:",
            "        d = s.recv(4096)",
            "        if not d: break",
            "        got += d",
            "except socket.timeout:",
            "    state = 'open'",
            "except ConnectionResetError:",
            "    state = 'closed'",
            "print(state, got.hex())");

    /** The outcome: whether the daemon closed the connection, and what it sent. */
    record Reply(boolean closed, byte[] bytes) {
        boolean closedSilently() {
            return closed && bytes.length == 0;
        }
    }

    private NetClient() {
    }

    static Reply request(String namespace, String host, int port, byte[] framed) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(NetworkNamespaces.in(namespace));
        command.addAll(List.of("python3", "-c", SCRIPT, host, Integer.toString(port), HexFormat.of().formatHex(framed)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("client hung");
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        String[] words = out.split(" ", -1);
        if (words.length > 2 || !(words[0].equals("closed") || words[0].equals("open"))) {
            throw new AssertionError("client failed: " + out);
        }
        return new Reply(words[0].equals("closed"), HexFormat.of().parseHex(words.length == 2 ? words[1] : ""));
    }

    /** True once a TCP connection to host:port from {@code namespace} succeeds. */
    static boolean accepts(String namespace, String host, int port) {
        List<String> command = new ArrayList<>(NetworkNamespaces.in(namespace));
        command.addAll(List.of("python3", "-c", "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)",
                host, Integer.toString(port)));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
