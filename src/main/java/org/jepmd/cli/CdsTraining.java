package org.jepmd.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The training run behind {@code scripts/jepmd}'s class-data-sharing archive (run under
 * {@code -XX:ArchiveClassesAtExit}; not a user command): starts a daemon on a free loopback port,
 * runs the client actions against it and stops it, so that the classes of both paths are archived:
 * through {@link DaemonShortcut} and {@link ClientShortcut} as {@code org.jepmd.Main} runs them, and
 * through picocli for help and usage errors. The {@code -daemon} parent's process start and status
 * socket are exercised on a stand-in child.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Class.forName("org.jepmd.Main");
        Map<String, String> env = System.getenv();
        String port = Integer.toString(freePort());
        Thread daemon = new Thread(() -> DaemonShortcut.run(new String[] {"-port", port, "-address", "127.0.0.1"},
                env, quiet, quiet), "training-daemon");
        daemon.start();
        for (int attempt = 0; attempt < 500 && client(quiet, "-port", port, "-started") != 0; attempt++) {
            Thread.sleep(10);
        }
        client(quiet, "-port", port, "-names");
        client(quiet, "-port", port, "-dump");
        client(quiet, "-port", port, "-stop", "training");
        run(quiet, "-port", port, "-names");
        run(quiet, "-h");
        run(quiet, "-no-such-option");
        Daemonizer.command(List.of("-daemon"), env);
        daemonParent(quiet);
        client(quiet, "-port", port, "-kill");
        daemon.join(10_000);
        System.exit(0);
    }

    private static int client(PrintStream quiet, String... args) {
        return ClientShortcut.run(args, Map.of(), quiet, quiet).orElseThrow();
    }

    private static int run(PrintStream quiet, String... args) {
        return EpmdCommand.commandLine(Map.of(), quiet, quiet).execute(args);
    }

    /** What the -daemon parent does, on a child that only exits: a process start and a status report. */
    private static void daemonParent(PrintStream quiet) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jepmd-training-");
        Path socket = dir.resolve("status");
        try (ServerSocketChannel status = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            status.bind(UnixDomainSocketAddress.of(socket));
            Process child = new ProcessBuilder("true").directory(new File("/"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            child.onExit().completeOnTimeout(null, 1, TimeUnit.SECONDS).thenRun(() -> quiet.flush());
            new DaemonStatus(socket).report(0, "");
            try (SocketChannel report = status.accept()) {
                report.read(ByteBuffer.allocate(64));
            }
            child.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            // no "true" here: the training goes on without it
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
