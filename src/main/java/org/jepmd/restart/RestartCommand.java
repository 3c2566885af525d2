package org.jepmd.restart;

import org.jepmd.daemon.DaemonStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jepmd -restart}, run by the launcher as the new daemon itself: {@code scripts/jepmd} starts
 * this JVM detached, as it starts a {@code -daemon}, with the daemon's JVM options and with
 * {@link DaemonStatus#ENV} set to {@link DaemonStatus#ON_STDERR}, and waits for its report on the
 * JVM's stderr. This class decides what the new daemon is: the running daemon's arguments (or the
 * daemon options the command gave, in their place), {@code -daemon}, and {@link Takeover#ENV}
 * naming the running daemon's hand-over socket. One JVM starts per restart, and the launcher as
 * installed now chooses its Java and jar, so an upgrade takes effect.
 */
public final class RestartCommand {
    private final int port;
    private final Map<String, String> env;
    private final HandoverPaths withoutRuntimeDir;
    private final PrintStream err;

    /** What the new daemon runs: its command line and environment. */
    public record NewDaemon(List<String> arguments, Map<String, String> env) {
    }

    /**
     * @param port the running daemon's port (as {@code -names} finds it)
     * @param env  this process's environment: the new daemon's, plus {@link Takeover#ENV}
     * @param err  where the one line of a failure goes
     */
    public RestartCommand(int port, Map<String, String> env, PrintStream err) {
        this(port, env, HandoverPaths.of(Map.of()), err);
    }

    /** As the public constructor, with the directory of a daemon started without {@code $XDG_RUNTIME_DIR} given. */
    RestartCommand(int port, Map<String, String> env, HandoverPaths withoutRuntimeDir, PrintStream err) {
        this.port = port & 0xFFFF;
        this.env = env;
        this.withoutRuntimeDir = withoutRuntimeDir;
        this.err = err;
    }

    /**
     * The new daemon that takes over from the one on the port, or null after saying on stderr why
     * there is none.
     *
     * @param daemonOptions the new daemon's arguments, or null to keep the running daemon's
     */
    public NewDaemon newDaemon(List<String> daemonOptions) {
        if (!DaemonStatus.ON_STDERR.equals(env.get(DaemonStatus.ENV))) {
            return fail("-restart is run by the launcher (scripts/jepmd), which starts the new daemon");
        }
        Path socket = socket();
        List<String> arguments;
        try {
            arguments = new ArrayList<>(daemonOptions == null ? runningArguments(socket) : daemonOptions);
        } catch (IOException e) {
            return fail(e.getMessage());
        }
        if (arguments.contains("-systemd")) {
            return fail("a daemon under systemd restarts with systemctl restart");
        }
        if (!arguments.contains("-daemon")) {
            arguments.add("-daemon");
        }
        Map<String, String> daemonEnv = new HashMap<>(env);
        daemonEnv.put(Takeover.ENV, socket.toString());
        daemonEnv.put("ERL_EPMD_PORT", Integer.toString(port)); // the port, when the arguments do not say it
        return new NewDaemon(List.copyOf(arguments), Map.copyOf(daemonEnv));
    }

    /**
     * The hand-over socket: under {@code $XDG_RUNTIME_DIR} when set, else (or when the daemon was
     * started without it) under {@code /tmp/jepmd-UID}.
     */
    private Path socket() {
        Path preferred = HandoverPaths.of(env).socket(port);
        Path fallback = withoutRuntimeDir.socket(port);
        return Files.exists(preferred) || !Files.exists(fallback) ? preferred : fallback;
    }

    /** The running daemon's arguments, asked over its hand-over socket (step 'A'). */
    private List<String> runningArguments(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no jepmd daemon to restart on port " + port + " (no " + socket + ")");
        }
        return RunningArguments.ask(socket);
    }

    private NewDaemon fail(String reason) {
        err.print("epmd: cannot restart: " + reason + "\n");
        err.flush();
        return null;
    }
}
