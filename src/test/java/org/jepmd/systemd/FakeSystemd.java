package org.jepmd.systemd;

import org.jepmd.testing.Requirements;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code fake_systemd.py} (test resources) run from a test: systemd's side of a socket-activated
 * service with an fd store, driven by commands ({@code start}, {@code term}, {@code store}) and
 * read back line by line (see the script).
 */
final class FakeSystemd implements AutoCloseable {
    private static final Path SCRIPT = Path.of("target/test-classes/org/jepmd/systemd/fake_systemd.py");

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Path log;

    private FakeSystemd(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the fake ended
            }
        }, "fake-systemd");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Holds 127.0.0.1:{@code port} for {@code service}, with room for {@code fdStoreMax} stored descriptors.
     *
     * @param fdStoreEnv whether the service sees {@code FDSTORE} as under systemd 254 and later
     */
    static FakeSystemd start(int port, int fdStoreMax, boolean fdStoreEnv, List<String> service) throws IOException {
        return start(port, fdStoreMax, fdStoreEnv, null, service);
    }

    /** As {@link #start(int, int, boolean, List)}, the stored state rewritten to format {@code stateVersion} when not null. */
    static FakeSystemd start(int port, int fdStoreMax, boolean fdStoreEnv, Integer stateVersion, List<String> service)
            throws IOException {
        String python = Requirements.require("python3", "install python3: the fake systemd is a Python script");
        Path log = Files.createTempFile("fake-systemd-service", ".log");
        List<String> command = new ArrayList<>(List.of(python, SCRIPT.toString(), "--port", Integer.toString(port),
                "--log", log.toString(), "--fdstore-max", Integer.toString(fdStoreMax)));
        if (fdStoreEnv) {
            command.add("--fdstore-env");
        }
        if (stateVersion != null) {
            command.addAll(List.of("--state-version", stateVersion.toString()));
        }
        command.add("--");
        command.addAll(service);
        return new FakeSystemd(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start(), log);
    }

    void send(String command) throws IOException {
        commands.write(command + "\n");
        commands.flush();
    }

    /** The next line that {@code wanted} accepts; the lines before it are kept in {@link #seen()}. */
    String await(Predicate<String> wanted, String what, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("fake systemd: no " + what + " within " + timeoutMillis + " ms; saw " + seen
                        + "\nservice log:\n" + serviceLog());
            }
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** Every line read so far. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    /** The store's names, as the fake holds them now. */
    List<String> store() throws IOException, InterruptedException {
        send("store");
        String line = await(l -> l.startsWith("store"), "store line", 10_000);
        String names = line.substring("store".length()).trim();
        return names.isEmpty() ? List.of() : List.of(names.split(" "));
    }

    /** What the services wrote to stdout and stderr. */
    String serviceLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            send("quit");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
