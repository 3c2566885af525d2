package org.jepmd.testing;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Registered nodes held by another process, so that the test's own heap holds none of their sockets:
 * {@code count} raw ALIVE2 connections to 127.0.0.1:{@code port}, named {@code prefix0}, {@code prefix1}…,
 * open until {@link #close()}.
 */
public final class HeldRegistrations implements AutoCloseable {
    private final Process process;

    private HeldRegistrations(Process process) {
        this.process = process;
    }

    /** Starts the holder and returns once every registration is acknowledged. */
    public static HeldRegistrations hold(int port, int count, String prefix) throws IOException {
        String java = System.getProperty("java.home") + "/bin/java";
        Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                HeldRegistrations.class.getName(), Integer.toString(port), Integer.toString(count), prefix)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        HeldRegistrations held = new HeldRegistrations(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (!"ready".equals(line)) {
            held.close();
            throw new IOException("the registration holder said " + line);
        }
        return held;
    }

    /** Closes every held connection (the process exits) and waits for it. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        List<Socket> held = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(EpmdWire.frame(EpmdWire.alive2(args[2] + i, 1024 + i % 60000)));
            byte[] reply = new byte[6];
            new DataInputStream(socket.getInputStream()).readFully(reply);
            if (reply[0] != 118 || reply[1] != 0) {
                System.out.println("refused " + args[2] + i);
                return;
            }
            held.add(socket);
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our stdin
        }
    }
}
