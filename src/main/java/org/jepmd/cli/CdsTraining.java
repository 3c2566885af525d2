package org.jepmd.cli;

import org.jepmd.client.EpmdClient;
import org.jepmd.daemon.DaemonStatus;
import org.jepmd.daemon.Daemonizer;
import org.jepmd.restart.HandoverPaths;
import org.jepmd.restart.Takeover;
import org.jepmd.server.EpmdEvents;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;
import org.jepmd.stdio.CStdio;
import org.jepmd.stdio.StdioBuffer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The training runs behind {@code scripts/jepmd}'s class-data-sharing archives (run under
 * {@code -XX:DumpLoadedClassList}; not a user command). Each archive holds only what its kind of
 * JVM loads, since the JVM relocates, and so touches, the whole archive at every start:
 * <ul>
 *   <li>{@code daemon}: a daemon on a free loopback port through {@link DaemonShortcut}, as
 *       {@code org.jepmd.Main} runs it, serving one NAMES and a KILL; and the {@code -daemon}
 *       parent's process start and status socket, on a stand-in child; then a take-over of it with
 *       one registration, as {@code jepmd -restart}'s new daemon runs it;</li>
 *   <li>{@code client}: the client actions through {@link ClientShortcut} against a stand-in
 *       daemon, {@code -info} against it, and help, version, a usage error and a bad value of a
 *       jepmd option through picocli.</li>
 * </ul>
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        CStdio.stdout(); // what Main opens (nothing is written to them here)
        CStdio.stderr();
        PrintStream quiet = new PrintStream(new StdioBuffer(OutputStream.nullOutputStream(), 4096, false));
        Class.forName("org.jepmd.Main");
        Map<String, String> env = System.getenv();
        if (args.length == 1 && args[0].equals("client")) {
            client(quiet, env);
        } else {
            daemon(quiet, env);
        }
        System.exit(0);
    }

    private static void daemon(PrintStream quiet, Map<String, String> env) throws Exception {
        String port = Integer.toString(freePort());
        String[] line = {"-port", port, "-address", "127.0.0.1"};
        ClientShortcut.run(line, env, quiet, quiet); // declines, as in Main
        Thread daemon = new Thread(() -> DaemonShortcut.run(line, env, quiet, quiet), "training-daemon");
        daemon.start();
        EpmdClient client = new EpmdClient(Integer.parseInt(port), quiet, quiet);
        for (int attempt = 0; attempt < 500 && client.started() != 0; attempt++) {
            Thread.sleep(10);
        }
        Daemonizer.command(List.of("-daemon"), env);
        daemonParent(quiet);
        takeOver(Integer.parseInt(port), env);
        client.kill();
        daemon.join(10_000);
    }

    /**
     * What a daemon started by {@code jepmd -restart} runs first, and the old daemon's side of it: a
     * take-over of the training daemon with one registration, on its hand-over socket.
     */
    private static void takeOver(int port, Map<String, String> env) {
        ServerConfig config = ServerConfig.builder().port(port).addresses(List.of("127.0.0.1"))
                .arguments(List.of("-port", Integer.toString(port), "-address", "127.0.0.1")).build();
        try (Socket node = new Socket(InetAddress.getLoopbackAddress(), port)) {
            byte[] name = "training".getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer alive2 = ByteBuffer.allocate(2 + 13 + name.length).putShort((short) (13 + name.length))
                    .put((byte) 120).putShort((short) 1).put((byte) 77).put((byte) 0).putShort((short) 6)
                    .putShort((short) 5).putShort((short) name.length).put(name).putShort((short) 0);
            node.getOutputStream().write(alive2.array());
            node.getInputStream().readNBytes(4); // ALIVE2_X_RESP's first bytes
            Takeover.run(config, EpmdEvents.NONE, HandoverPaths.of(env).socket(port));
        } catch (IOException | StartupFailure e) {
            // the training goes on without it
        }
    }

    private static void client(PrintStream quiet, Map<String, String> env) throws Exception {
        try (ServerSocket standIn = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answers = new Thread(() -> answer(standIn), "training-stand-in");
            answers.setDaemon(true);
            answers.start();
            String port = Integer.toString(standIn.getLocalPort());
            for (String[] line : List.of(new String[] {"-port", port, "-names"}, new String[] {"-port", port, "-dump"},
                    new String[] {"-port", port, "-started"}, new String[] {"-port", port, "-stop", "training"},
                    new String[] {"-port", port, "-kill"})) {
                ClientShortcut.run(line, env, quiet, quiet);
            }
            EpmdCommand.commandLine(env, quiet, quiet).execute("-port", port, "-info"); // "not jepmd" here
        }
        ClientShortcut.run(new String[] {"-port", Integer.toString(freePort()), "-names"}, env, quiet, quiet);
        for (String[] line : List.of(new String[] {"-h"}, new String[] {"-version"},
                new String[] {"-no-such-option"}, new String[] {"-http", "no-port"})) {
            EpmdCommand.commandLine(env, quiet, quiet).execute(line);
        }
    }

    /** A stand-in daemon: answers NAMES and DUMP with a one-node list, KILL with OK, STOP with NOEXIST. */
    private static void answer(ServerSocket standIn) {
        while (!standIn.isClosed()) {
            try (Socket connection = standIn.accept()) {
                InputStream in = connection.getInputStream();
                byte[] request = in.readNBytes(3);
                String reply = switch (request.length == 3 ? request[2] : 0) {
                    case 'n', 'd' -> "name training at port 1\n";
                    case 'k' -> "OK";
                    default -> "NOEXIST";
                };
                OutputStream out = connection.getOutputStream();
                if (request.length == 3 && (request[2] == 'n' || request[2] == 'd')) {
                    out.write(new byte[] {0, 0, 0x11, 0x11}); // the daemon's port
                }
                out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                return;
            }
        }
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
            child.onExit().completeOnTimeout(null, 1, TimeUnit.SECONDS).thenRun(quiet::flush);
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
