package org.jepmd.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * jepmd as a separate JVM ({@code java -cp <test classpath> org.jepmd.Main}), for tests that kill it,
 * limit its descriptors or need its sockets out of the test JVM's descriptor budget. Output goes to a
 * file ({@link #output()}); {@link #close()} kills it.
 */
public final class JepmdProcess extends LoggedProcess {
    private final int port;

    private JepmdProcess(Process process, int port, File log) {
        super(process, log);
        this.port = port;
    }

    /** Starts {@code jepmd -port P args...} and waits until it accepts on 127.0.0.1. */
    public static JepmdProcess start(int port, String... args) {
        return start("", port, args);
    }

    /**
     * Starts jepmd through {@code bash -c '<shellPrefix> exec java ...'}, e.g. with
     * {@code shellPrefix = "ulimit -n 64;"}, and waits until it accepts on 127.0.0.1.
     */
    public static JepmdProcess start(String shellPrefix, int port, String... args) {
        return start(List.of(), shellPrefix, () -> acceptsOnLoopback(port), port, args);
    }

    /**
     * Starts jepmd as {@code wrapper... bash -c '<shellPrefix> exec java ...'} (e.g. wrapper
     * {@code ip netns exec NS}) and waits up to 30 s until {@code ready} holds.
     */
    public static JepmdProcess start(List<String> wrapper, String shellPrefix, java.util.function.BooleanSupplier ready,
                                     int port, String... args) {
        return start(List.of(), wrapper, shellPrefix, ready, port, args);
    }

    /** As {@link #start(List, String, java.util.function.BooleanSupplier, int, String...)}, with extra JVM options. */
    public static JepmdProcess start(List<String> jvmOptions, List<String> wrapper, String shellPrefix,
                                     java.util.function.BooleanSupplier ready, int port, String... args) {
        List<String> java = new ArrayList<>(List.of(
                System.getProperty("java.home") + "/bin/java", "-Xmx256m", "-XX:+UseSerialGC",
                // the daemon's own logging, not the quiet logback-test.xml on the test classpath
                "-Dlogback.configurationFile=" + new File("target/classes/logback.xml").getAbsolutePath()));
        java.addAll(jvmOptions);
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.jepmd.Main",
                "-port", Integer.toString(port)));
        java.addAll(List.of(args));
        StringBuilder line = new StringBuilder(shellPrefix).append(" exec");
        for (String word : java) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        try {
            File log = File.createTempFile("jepmd-", ".log");
            log.deleteOnExit();
            List<String> command = new ArrayList<>(wrapper);
            command.addAll(List.of("bash", "-c", line.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(log);
            builder.environment().remove("ERL_EPMD_PORT");
            builder.environment().remove("ERL_EPMD_ADDRESS");
            builder.environment().remove("ERL_EPMD_RELAXED_COMMAND_CHECK");
            JepmdProcess started = new JepmdProcess(builder.start(), port, log);
            started.awaitListening(ready);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether something accepts connections on 127.0.0.1:{@code port}. */
    public static boolean acceptsOnLoopback(int port) {
        return EpmdWire.accepts("127.0.0.1", port);
    }

    private void awaitListening(java.util.function.BooleanSupplier ready) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (!process().isAlive()) {
                throw new IllegalStateException("jepmd exited with " + process().exitValue() + ": " + output());
            }
            Pause.millis(50);
        }
        close();
        throw new IllegalStateException("jepmd did not listen on " + port + " within 30 s: " + output());
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        kill9();
    }
}
