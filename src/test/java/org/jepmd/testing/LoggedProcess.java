package org.jepmd.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A child process of a test, a JVM running a class from this build or any command, its output in
 * temporary files and without the test's {@code ERL_EPMD_*} variables. {@link #close()} kills it
 * whatever happened.
 */
public class LoggedProcess implements AutoCloseable {
    private static final List<String> EPMD_VARIABLES =
            List.of("ERL_EPMD_PORT", "ERL_EPMD_ADDRESS", "ERL_EPMD_RELAXED_COMMAND_CHECK");

    private final Process process;
    private final Path stdout;
    /** The same file as {@link #stdout} when the two streams are logged together. */
    private final Path stderr;

    /** Starts {@code command} with stdout and stderr together in one file ({@link #output()}). */
    protected LoggedProcess(String name, List<String> command) {
        this(name, command, true, List.of());
    }

    private LoggedProcess(String name, List<String> command, boolean oneLog, List<String> env) {
        try {
            stdout = tempFile(name, oneLog ? ".log" : ".out");
            stderr = oneLog ? stdout : tempFile(name, ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile());
            if (oneLog) {
                builder.redirectErrorStream(true);
            } else {
                builder.redirectError(stderr.toFile());
            }
            EPMD_VARIABLES.forEach(builder.environment()::remove);
            for (String pair : env) {
                int eq = pair.indexOf('=');
                builder.environment().put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code command}, stdout and stderr in separate files, with extra environment variables ({@code NAME=VALUE}). */
    public static LoggedProcess start(List<String> command, String... env) {
        return new LoggedProcess("process-", command, false, List.of(env));
    }

    /**
     * The command that runs {@code mainClass} with {@code args} in a JVM that uses the main logback
     * configuration (epmd's stderr lines) and may adopt inherited sockets.
     */
    public static List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dlogback.configurationFile=" + new File("target/classes/logback.xml").getAbsolutePath());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private static Path tempFile(String name, String suffix) throws IOException {
        File file = File.createTempFile(name, suffix);
        file.deleteOnExit();
        return file.toPath();
    }

    /** The process. */
    public Process process() {
        return process;
    }

    /** What it has written so far: stdout, then stderr when the two are kept apart. */
    public String output() {
        return stdout.equals(stderr) ? read(stdout) : read(stdout) + read(stderr);
    }

    /** What it wrote to stdout so far (with stderr when the two are logged together). */
    public String stdout() {
        return read(stdout);
    }

    /** What it wrote to stderr so far (with stdout when the two are logged together). */
    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until {@code ready} holds, e.g. until it listens.
     *
     * @throws AssertionError if it exits first or {@code ready} does not hold within {@code timeout}; it is then killed
     */
    protected void awaitReady(Duration timeout, BooleanSupplier ready, String what) {
        try {
            Await.until(timeout, () -> {
                if (ready.getAsBoolean()) {
                    return true;
                }
                if (!process.isAlive()) {
                    throw new AssertionError(what + " exited with " + process.exitValue() + ": " + output());
                }
                return false;
            }, () -> what + "; output: " + output());
        } catch (AssertionError | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Waits for it to exit; false if it is still running after {@code seconds}. */
    public boolean awaitExit(long seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits at most {@code millis} for the exit status; fails the test if it is still running. */
    public int exitStatus(long millis) throws InterruptedException {
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + millis + " ms; stderr: " + stderr());
        }
        return process.exitValue();
    }

    /** {@code kill -9} and wait (up to 10 s) for it to be gone. */
    public void kill9() {
        process.destroyForcibly();
        awaitExit(10);
    }

    @Override
    public void close() {
        kill9();
    }
}
