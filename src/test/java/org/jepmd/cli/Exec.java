package org.jepmd.cli;

import org.jepmd.daemon.DaemonStatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * Runs {@code scripts/jepmd} (and other programs) as processes for end-to-end tests, with a clean
 * epmd environment, a time limit, and stdout/stderr captured as bytes.
 */
final class Exec {
    /** The launcher under test. */
    static final Path JEPMD = Path.of("scripts", "jepmd").toAbsolutePath();
    private static final long TIMEOUT_SECONDS = 60;

    /** What a process printed and returned. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private Exec() {
    }

    /** This environment without any {@code ERL_EPMD_*} variable, plus {@code extra}. */
    static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(name -> name.startsWith("ERL_EPMD_") || name.equals(DaemonStatus.ENV));
        env.putAll(extra);
        return env;
    }

    /** {@code scripts/jepmd args...} with a clean environment. */
    static Result jepmd(String... args) {
        return jepmd(Map.of(), args);
    }

    /** {@code scripts/jepmd args...} with a clean environment plus {@code extra}. */
    static Result jepmd(Map<String, String> extra, String... args) {
        return run(JEPMD.toString(), env(extra), args);
    }

    /** Runs {@code program args...} to its end (at most a minute) and returns what it printed. */
    static Result run(String program, Map<String, String> env, String... args) {
        return runIn(null, program, env, args);
    }

    /** {@link #run}, in the working directory {@code dir} (null: this one). */
    static Result runIn(Path dir, String program, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(program));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            CompletableFuture<byte[]> out = drain(process.getInputStream());
            CompletableFuture<byte[]> err = drain(process.getErrorStream());
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), text(out.join()), text(err.join()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts {@code scripts/jepmd args...} in the background (a foreground daemon), output to files. */
    static Process start(Map<String, String> extra, Path stderr, String... args) {
        List<String> command = new ArrayList<>(List.of(JEPMD.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile());
        builder.environment().clear();
        builder.environment().putAll(env(extra));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops every jepmd JVM serving {@code port} (by {@code -port} or {@code ERL_EPMD_PORT}): the
     * clean-up after a test, also when it failed halfway.
     */
    static void killDaemons(int port) {
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("org.jepmd.Main")).orElse(false))
                .filter(p -> serves(p, port))
                .forEach(p -> {
                    p.destroy();
                    p.onExit().completeOnTimeout(p, 5, TimeUnit.SECONDS).join();
                    p.destroyForcibly();
                });
    }

    private static boolean serves(ProcessHandle process, int port) {
        String commandLine = process.info().commandLine().orElse("");
        if (commandLine.contains("-port " + port)) {
            return true;
        }
        try {
            String environ = Files.readString(Path.of("/proc", Long.toString(process.pid()), "environ"),
                    StandardCharsets.ISO_8859_1);
            return !commandLine.contains("-port ") && ("\0" + environ).contains("\0ERL_EPMD_PORT=" + port + "\0");
        } catch (IOException e) {
            return false;
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (in) {
                in.transferTo(bytes);
            } catch (IOException ignored) {
                // the process ended
            }
            return bytes.toByteArray();
        });
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
