package org.jepmd.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference {@code epmd} (Debian's erlang-base) on a free loopback port, for differential tests.
 * Skips (or fails under CI) when it is not installed.
 */
public final class RealEpmd extends LoggedProcess {
    private final int port;

    private RealEpmd(Process process, int port, File log) {
        super(process, log);
        this.port = port;
    }

    /** Starts {@code epmd -port P [args]} in the foreground and waits until it answers. */
    public static RealEpmd start(String... args) {
        String epmd = Requirements.epmd();
        int port = FreePorts.next();
        List<String> command = new ArrayList<>(List.of(epmd, "-port", Integer.toString(port)));
        command.addAll(List.of(args));
        try {
            File log = File.createTempFile("epmd-", ".log");
            log.deleteOnExit();
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log);
            builder.environment().remove("ERL_EPMD_PORT");
            builder.environment().remove("ERL_EPMD_ADDRESS");
            builder.environment().remove("ERL_EPMD_RELAXED_COMMAND_CHECK");
            Process process = builder.start();
            RealEpmd real = new RealEpmd(process, port, log);
            real.awaitListening();
            return real;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!process().isAlive()) {
                    throw new IllegalStateException("epmd exited with " + process().exitValue());
                }
                Pause.millis(20);
            }
        }
        throw new IllegalStateException("epmd did not listen on " + port + " within 5 s");
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        process().destroy();
        try {
            if (!process().waitFor(5, TimeUnit.SECONDS)) {
                process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
