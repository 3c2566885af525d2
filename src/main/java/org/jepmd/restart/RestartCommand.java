package org.jepmd.restart;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code jepmd -restart}: starts a new daemon from the launcher as installed now ({@link #LAUNCHER_ENV},
 * which {@code scripts/jepmd} sets to its own resolved path), detached as {@code -daemon} starts one,
 * with {@link Takeover#ENV} naming the running daemon's hand-over socket, and returns the launcher's
 * answer: 0 once the new daemon serves, else 1 with the reason on stderr, the old daemon serving on.
 *
 * <p>The new daemon gets the running daemon's arguments, unless the command gave daemon options of its
 * own: then those, in their place. Either way with {@code -daemon}.
 */
public final class RestartCommand {
    /** The launcher's own path, exported by {@code scripts/jepmd}. */
    public static final String LAUNCHER_ENV = "JEPMD_LAUNCHER";
    /** Longer than the launcher's own wait for the daemon's report (30 s). */
    private static final long LAUNCHER_TIMEOUT_SECONDS = 90;

    private final int port;
    private final Map<String, String> env;
    private final PrintStream err;

    /**
     * @param port the running daemon's port (as {@code -names} finds it)
     * @param env  this process's environment: the new daemon's, plus {@link Takeover#ENV}
     * @param err  where the one line of a failure goes
     */
    public RestartCommand(int port, Map<String, String> env, PrintStream err) {
        this.port = port & 0xFFFF;
        this.env = env;
        this.err = err;
    }

    /**
     * Restarts the daemon on the port.
     *
     * @param daemonOptions the new daemon's arguments, or null to keep the running daemon's
     * @return 0 once the new daemon serves, else 1
     */
    public int restart(List<String> daemonOptions) {
        Path socket = socket();
        String launcher = env.get(LAUNCHER_ENV);
        if (launcher == null || launcher.isEmpty() || !Files.isExecutable(Path.of(launcher))) {
            return fail("-restart runs the launcher (scripts/jepmd), and " + LAUNCHER_ENV + " names none");
        }
        List<String> arguments;
        try {
            List<String> running = runningArguments(socket);
            arguments = new ArrayList<>(daemonOptions == null ? running : daemonOptions);
        } catch (IOException e) {
            return fail(e.getMessage());
        }
        if (arguments.contains("-systemd")) {
            return fail("a daemon under systemd restarts with systemctl restart");
        }
        if (!arguments.contains("-daemon")) {
            arguments.add("-daemon");
        }
        return launch(launcher, arguments, socket);
    }

    /**
     * The hand-over socket: under {@code $XDG_RUNTIME_DIR} when set, else (or when the daemon was
     * started without it) under {@code /tmp/jepmd-UID}.
     */
    private Path socket() {
        Path preferred = HandoverPaths.of(env).socket(port);
        Path fallback = HandoverPaths.of(Map.of()).socket(port);
        return Files.exists(preferred) || !Files.exists(fallback) ? preferred : fallback;
    }

    /** The running daemon's arguments, asked over its hand-over socket (step 'A'). */
    private List<String> runningArguments(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no jepmd daemon to restart on port " + port + " (no " + socket + ")");
        }
        try (HandoverClient client = HandoverClient.connect(socket)) {
            client.send(HandoverProtocol.ARGUMENTS);
            List<String> arguments = new ArrayList<>();
            for (int i = client.readInt(); i > 0; i--) {
                arguments.add(new String(client.readBytes(client.readInt()), StandardCharsets.UTF_8));
            }
            return arguments;
        }
    }

    /** Runs {@code launcher arguments} with the hand-over socket in its environment and returns its answer. */
    private int launch(String launcher, List<String> arguments, Path socket) {
        List<String> command = new ArrayList<>();
        command.add(launcher);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> childEnv = new HashMap<>(env);
        childEnv.put(Takeover.ENV, socket.toString());
        childEnv.put("ERL_EPMD_PORT", Integer.toString(port)); // the port, when the arguments do not say it
        builder.environment().clear();
        builder.environment().putAll(childEnv);
        try {
            Process child = builder.start();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(child.getErrorStream()));
            if (!child.waitFor(LAUNCHER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                return fail("the new daemon did not report within " + LAUNCHER_TIMEOUT_SECONDS + " s");
            }
            String reason = stderr.join().strip();
            if (child.exitValue() == 0) {
                return 0;
            }
            if (reason.isEmpty()) {
                return fail("the new daemon exited with status " + child.exitValue());
            }
            err.print(reason + "\n"); // the launcher's one line, e.g. "epmd: cannot take over: ..."
            err.flush();
            return 1;
        } catch (IOException e) {
            return fail("cannot run " + launcher + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    private static String readAll(InputStream in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (in) {
            in.transferTo(bytes);
        } catch (IOException ignored) {
            // the launcher ended
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private int fail(String reason) {
        err.print("epmd: cannot restart: " + reason + "\n");
        err.flush();
        return 1;
    }
}
