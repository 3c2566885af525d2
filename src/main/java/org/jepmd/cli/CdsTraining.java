package org.jepmd.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

/**
 * The training run behind {@code scripts/jepmd}'s class-data-sharing archive (run under
 * {@code -XX:ArchiveClassesAtExit}; not a user command): starts a daemon on a free loopback port,
 * runs the client actions against it and stops it, so that the classes of both paths are archived.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws InterruptedException {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        String port = Integer.toString(freePort());
        Thread daemon = new Thread(() -> run(quiet, "-port", port, "-address", "127.0.0.1"), "training-daemon");
        daemon.start();
        for (int attempt = 0; attempt < 500 && run(quiet, "-port", port, "-started") != 0; attempt++) {
            Thread.sleep(10);
        }
        run(quiet, "-port", port, "-names");
        run(quiet, "-port", port, "-dump");
        run(quiet, "-port", port, "-stop", "training");
        run(quiet, "-port", port, "-kill");
        run(quiet, "-h");
        run(quiet, "-no-such-option");
        Daemonizer.command(List.of("-daemon"), Map.of());
        daemon.join(10_000);
        System.exit(0);
    }

    private static int run(PrintStream quiet, String... args) {
        return EpmdCommand.commandLine(Map.of(), quiet, quiet).execute(args);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
