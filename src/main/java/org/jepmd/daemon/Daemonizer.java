package org.jepmd.daemon;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The parent's side of {@code -daemon} (docs/protocol.md, Daemon mode, and item 13 of the differences
 * there): starts the same JVM again as a detached process (a new session through {@code setsid} when
 * available, stdin/stdout/stderr on {@code /dev/null}, working directory {@code /}) and returns only
 * when that daemon reports through {@link DaemonStatus}: exit 0 once it listens, or at once when
 * another daemon holds the port; a real failure gives the daemon's exit status and its reason on stderr.
 *
 * <p>epmd's parent returns before binding, so {@code erl} may register before epmd listens; waiting
 * here removes that race.
 */
public final class Daemonizer {
    /** How long the parent waits for the daemon to report. */
    static final long REPORT_TIMEOUT_SECONDS = 30;
    private static final String MAIN_CLASS = "org.jepmd.Main";
    private static final String SETSID_FORK = "--fork";

    private Daemonizer() {
    }

    /**
     * Starts the daemon with {@code args} (the same arguments, {@code -daemon} included) and the
     * environment {@code env}, and waits for its report.
     *
     * @return the exit status for the parent
     */
    public static int launch(List<String> args, Map<String, String> env, PrintStream err) {
        List<String> command = command(args, env);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("jepmd-daemon-"); // 0700: only this user can report
            Path socketPath = dir.resolve("status");
            try (ServerSocketChannel status = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                status.bind(UnixDomainSocketAddress.of(socketPath));
                boolean forked = command.contains(SETSID_FORK);
                Process child = start(command, env, socketPath);
                AtomicBoolean timedOut = new AtomicBoolean();
                closeAfterTimeout(status, REPORT_TIMEOUT_SECONDS, timedOut);
                if (!forked) {
                    // the child is the daemon itself: its exit before reporting ends the wait at once
                    child.onExit().thenRun(() -> closeQuietly(status));
                }
                String report = awaitReport(status);
                if (report == null || report.isEmpty()) { // empty: the daemon closed the connection without a word
                    return noReport(forked ? null : child, timedOut.get(), err);
                }
                int space = report.indexOf(' ');
                int exitStatus = Integer.parseInt(space < 0 ? report : report.substring(0, space)); // DaemonStatus wrote it
                String message = space < 0 ? "" : report.substring(space + 1).strip();
                if (exitStatus != 0) {
                    err.print("epmd: " + message + "\n");
                    err.flush();
                }
                return exitStatus;
            }
        } catch (IOException e) {
            err.print("epmd: cannot start the daemon: " + e.getMessage() + "\n");
            err.flush();
            return 1;
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Closes the status socket after {@code seconds}. A sleeping daemon thread, not a
     * thread blocked in native code: the JVM's exit waits up to 300 ms for the latter.
     */
    private static void closeAfterTimeout(ServerSocketChannel status, long seconds, AtomicBoolean timedOut) {
        Thread timer = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                timedOut.set(true);
                closeQuietly(status);
            } catch (InterruptedException ignored) {
                // the parent is done
            }
        }, "jepmd-daemon-report-timeout");
        timer.setDaemon(true);
        timer.start();
    }

    private static Process start(List<String> command, Map<String, String> env, Path socketPath) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put(DaemonStatus.ENV, socketPath.toString());
        return builder.start();
    }

    /**
     * {@code [setsid --fork] <this java> <this JVM's options> -cp <absolute class path> org.jepmd.Main args}.
     * With {@code --fork} the process this JVM starts exits at once and is reaped at once; otherwise
     * the JDK's reaper thread would sit in {@code waitpid()} on the daemon, and the JVM's exit waits
     * about 300 ms for threads in native code.
     */
    public static List<String> command(List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions());
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                classPath.add(Path.of(entry).toAbsolutePath().toString()); // the daemon runs in /
            }
        }
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath));
        command.add(MAIN_CLASS);
        command.addAll(args);
        return detached(command, env);
    }

    /** {@code [setsid --fork] line}: in a session of its own, when setsid is on the PATH. */
    private static List<String> detached(List<String> line, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        String setsid = which("setsid", env.get("PATH"));
        if (setsid != null) {
            command.add(setsid);
            command.add(SETSID_FORK);
        }
        command.addAll(line);
        return command;
    }

    /**
     * This JVM's options: read from its own command line when it names its main class (as
     * {@code scripts/jepmd} does: {@code java <options> -cp <jar> org.jepmd.Main ...}), which is much
     * cheaper than starting JMX; else (e.g. {@code -jar}, {@code @argfiles}) from the runtime MXBean.
     */
    private static List<String> jvmOptions() {
        String[] arguments = ProcessHandle.current().info().arguments().orElse(new String[0]);
        String command = System.getProperty("sun.java.command", ""); // the main class (or jar), then its arguments
        String mainClass = command.isEmpty() ? MAIN_CLASS : command.split(" ", 2)[0];
        List<String> options = new ArrayList<>();
        for (int i = 0; i < arguments.length; i++) {
            String argument = arguments[i];
            if (argument.equals(mainClass)) {
                return options;
            }
            if (argument.equals("-cp") || argument.equals("-classpath") || argument.equals("--class-path")) {
                i++; // replaced by the absolute class path
            } else if (argument.startsWith("-")) {
                options.add(argument);
            } else {
                break; // not the launcher's shape: ask the JVM
            }
        }
        return ManagementFactory.getRuntimeMXBean().getInputArguments();
    }

    /** The daemon's line; empty when it died after connecting; null when none connected in time. */
    private static String awaitReport(ServerSocketChannel status) {
        try (SocketChannel channel = status.accept()) {
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                if (buffer.get(buffer.position() - 1) == '\n') {
                    break;
                }
            }
            buffer.flip();
            return StandardCharsets.UTF_8.decode(buffer).toString();
        } catch (IOException e) {
            return null; // closed: the daemon exited or the wait timed out
        }
    }

    /**
     * The daemon closed the status connection without a report, or never reported.
     *
     * @param child the daemon, when it is this JVM's own child; null when it was forked off
     */
    private static int noReport(Process child, boolean timedOut, PrintStream err) {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
        if (timedOut) {
            err.print("epmd: the daemon did not report within " + REPORT_TIMEOUT_SECONDS + " s\n");
        } else if (child != null) {
            err.print("epmd: the daemon exited with status " + child.exitValue() + " before listening\n");
        } else {
            err.print("epmd: the daemon exited before listening\n");
        }
        err.flush();
        return 1;
    }

    private static String which(String program, String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File candidate = new File(dir, program);
            if (!dir.isEmpty() && candidate.isFile() && candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve("status"));
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
