package org.jepmd.restart;

import org.jepmd.daemon.Daemonizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jepmd -restart}: starts a new daemon from the launcher as installed now ({@link #LAUNCHER_ENV},
 * which {@code scripts/jepmd} sets to its own resolved path), detached as {@code -daemon} starts one
 * but with this process as the parent that waits for its report ({@link Daemonizer#launchThrough}),
 * with {@link Takeover#ENV} naming the running daemon's hand-over socket: 0 once the new daemon
 * serves, else 1 with the reason on stderr, the old daemon serving on.
 *
 * <p>The new daemon gets the running daemon's arguments, unless the command gave daemon options of its
 * own: then those, in their place. Either way with {@code -daemon}.
 */
public final class RestartCommand {
    /** The launcher's own path, exported by {@code scripts/jepmd}. */
    public static final String LAUNCHER_ENV = "JEPMD_LAUNCHER";
    /** How long the new daemon may take to report: the launcher may first make its class-data archive. */
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
        return RunningArguments.ask(socket);
    }

    /**
     * Runs {@code launcher arguments} detached, with the hand-over socket in its environment, and
     * waits for the new daemon's report as {@code -daemon}'s parent does: this process is that parent.
     */
    private int launch(String launcher, List<String> arguments, Path socket) {
        List<String> line = new ArrayList<>();
        line.add(launcher);
        line.addAll(arguments);
        Map<String, String> childEnv = new HashMap<>(env);
        childEnv.put(Takeover.ENV, socket.toString());
        childEnv.put("ERL_EPMD_PORT", Integer.toString(port)); // the port, when the arguments do not say it
        int status = Daemonizer.launchThrough(line, childEnv, LAUNCHER_TIMEOUT_SECONDS, err);
        return status == 0 ? 0 : 1;
    }

    private int fail(String reason) {
        err.print("epmd: cannot restart: " + reason + "\n");
        err.flush();
        return 1;
    }
}
