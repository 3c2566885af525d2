package org.jepmd.testing;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * jepmd as a separate JVM ({@code java -cp <test classpath> org.jepmd.Main}, its classes from a jar as users
 * run it: {@link ClassesJar}), for tests that kill it,
 * limit its descriptors or need its sockets out of the test JVM's descriptor budget. Output goes to a
 * file ({@link #output()}); {@link #close()} kills it.
 */
public final class JepmdProcess extends LoggedProcess {
    private final int port;

    private JepmdProcess(List<String> command, int port) {
        super("jepmd-", command);
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
        java.addAll(List.of("-cp", ClassesJar.classPath(), "org.jepmd.Main",
                "-port", Integer.toString(port)));
        java.addAll(List.of(args));
        StringBuilder line = new StringBuilder(shellPrefix).append(" exec");
        for (String word : java) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of("bash", "-c", line.toString()));
        JepmdProcess started = new JepmdProcess(command, port);
        started.awaitReady(Duration.ofSeconds(30), ready, "jepmd to listen on " + port);
        return started;
    }

    /** Whether something accepts connections on 127.0.0.1:{@code port}. */
    public static boolean acceptsOnLoopback(int port) {
        return EpmdWire.accepts("127.0.0.1", port);
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }
}
