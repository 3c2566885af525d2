package org.jepmd.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a class from this build (main and test classes on the class path), its output
 * in files, destroyed on close whatever happened.
 */
public final class JavaProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private JavaProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * The command that runs {@code mainClass} with {@code args} in a JVM that uses the main logback
     * configuration (epmd's stderr lines) and may adopt inherited sockets.
     */
    public static List<String> command(String mainClass, String... args) {
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

    /** Starts {@code command} with extra environment variables ({@code NAME=VALUE}). */
    public static JavaProcess start(List<String> command, String... env) throws IOException {
        Path out = Files.createTempFile("jepmd-out", ".txt");
        Path err = Files.createTempFile("jepmd-err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        for (String pair : env) {
            int eq = pair.indexOf('=');
            builder.environment().put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return new JavaProcess(builder.start(), out, err);
    }

    /** The process. */
    public Process process() {
        return process;
    }

    /** Waits at most {@code millis} for the exit status; fails the test if it is still running. */
    public int exitStatus(long millis) throws InterruptedException {
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + millis + " ms; stderr: " + stderr());
        }
        return process.exitValue();
    }

    /** What it wrote to stdout so far. */
    public String stdout() {
        return read(stdout);
    }

    /** What it wrote to stderr so far. */
    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
    }
}
