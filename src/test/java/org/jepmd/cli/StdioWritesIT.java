package org.jepmd.cli;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.RealEpmd;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jepmd's client output reaches pipes, files and terminals in the same {@code write()} calls as
 * epmd's, seen with strace: the same sequence of (descriptor, bytes) on stdout and stderr. A reader
 * that takes the first chunk from a pipe must get all of {@code epmd -names}; a terminal gets it
 * line by line; stderr gets each message in one write.
 */
class StdioWritesIT {
    /** A {@code -names} of this many 200-byte names is about 26 KB: several 4096-byte stdio buffers. */
    private static final int MANY_NODES = 120;
    private static final Pattern WRITE = Pattern.compile(
            "^\\d+<([^>]*)> +write\\(([12]), \"((?:\\\\x[0-9a-f]{2})*)\"(\\.\\.\\.)?, (\\d+)(?:\\) = |\\s*<unfinished)");

    /** Where the client's stdout and stderr go. */
    enum Output { PIPE, FILE, TERMINAL }

    /** One write() to stdout (1) or stderr (2). */
    record Write(int fd, String bytes) {
        @Override
        public String toString() {
            String text = bytes.length() > 72 ? bytes.substring(0, 36) + "..." + bytes.substring(bytes.length() - 33) : bytes;
            return "fd " + fd + " [" + bytes.length() + "] " + text.replace("\n", "\\n").replace("\0", "\\0");
        }
    }

    /** What strace saw the client write, and what the process returned and printed. */
    record Traced(List<Write> writes, Exec.Result result) {
    }

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private String strace;
    private String script;
    private String epmd;
    private Path work;

    @BeforeEach
    void requirePrograms() throws IOException {
        strace = Requirements.require("strace", "install strace");
        script = Requirements.require("script", "install bsdutils");
        epmd = Requirements.epmd();
        work = Files.createTempDirectory("stdio-writes");
        // the first runs of scripts/jepmd may build the jar and its class-data archives (one for
        // client actions, one for the rest) in JVMs of their own, writing to descriptor 1
        Exec.jepmd("-port", Integer.toString(FreePorts.next()), "-names");
        Exec.jepmd("--bogus");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : cleanup) {
            closeable.close();
        }
    }

    @Test
    void withoutADaemon() {
        String nobody = Integer.toString(FreePorts.next());
        for (Output output : List.of(Output.PIPE, Output.TERMINAL)) {
            for (String action : List.of("-names", "-dump", "-kill", "-started")) {
                sameWrites(output, "-port", nobody, action);
            }
            sameWrites(output, "-port", nobody, "-stop", "x");
            sameWrites(output, "-port", nobody, "-stop", "n".repeat(1001)); // stdout, no newline
        }
    }

    @Test
    void usageText() {
        for (Output output : Output.values()) {
            sameWrites(output, "--bogus");
        }
        sameWrites(Output.PIPE, "-port", "0", "-names");
        sameWrites(Output.PIPE, "-stop");
    }

    @Test
    void daemonWithoutNodes() {
        String port = Integer.toString(daemon().port());
        for (Output output : Output.values()) {
            sameWrites(output, "-port", port, "-names");
            sameWrites(output, "-port", port, "-dump");
            sameWrites(output, "-port", port, "-started");
        }
        // -kill ends the daemon: one for each client
        sameWrites(Output.PIPE, List.of("-port", port, "-kill"),
                List.of("-port", Integer.toString(daemon().port()), "-kill"));
    }

    @Test
    void daemonWithTwoNodes() {
        int port = daemon().port();
        register(port, "side_a");
        register(port, "side_b");
        String p = Integer.toString(port);
        for (Output output : List.of(Output.PIPE, Output.FILE)) {
            sameWrites(output, "-port", p, "-names");
            sameWrites(output, "-port", p, "-dump");
        }
        for (Output output : Output.values()) {
            sameWrites(output, "-port", p, "-started");
            sameWrites(output, "-port", p, "-kill");              // living nodes: refused
            sameWrites(output, "-port", p, "-stop", "side_a");    // not relaxed: "responded with <>"
        }
    }

    @Test
    void relaxedDaemonWithManyNodes() {
        int port = daemon("-relaxed_command_check").port();
        for (int i = 0; i < MANY_NODES; i++) {
            register(port, manyName(i));
        }
        String p = Integer.toString(port);
        for (Output output : List.of(Output.PIPE, Output.FILE)) {
            sameWrites(output, "-port", p, "-names");
            sameWrites(output, "-port", p, "-dump");
        }
        for (Output output : Output.values()) {
            sameWrites(output, "-port", p, "-stop", "nobody");   // NOEXIST
            int stopped = output.ordinal() * 2;
            sameWrites(output, List.of("-port", p, "-stop", manyName(stopped)), // STOPPED, a node each
                    List.of("-port", p, "-stop", manyName(stopped + 1)));
        }
        // relaxed: killed with living nodes, one daemon for each client
        int other = daemon("-relaxed_command_check").port();
        register(other, "living");
        sameWrites(Output.PIPE, List.of("-port", p, "-kill"), List.of("-port", Integer.toString(other), "-kill"));
    }

    @Test
    void daemonThatClosesAtOnce() throws IOException {
        ServerSocket closer = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        cleanup.add(closer);
        Thread accepting = new Thread(() -> {
            while (!closer.isClosed()) {
                try (Socket ignored = closer.accept()) {
                    // closed at once: no answer
                } catch (IOException e) {
                    return;
                }
            }
        }, "closes-at-once");
        accepting.setDaemon(true);
        accepting.start();
        String p = Integer.toString(closer.getLocalPort());
        for (Output output : List.of(Output.PIPE, Output.TERMINAL)) {
            sameWrites(output, "-port", p, "-names");          // no response from local epmd
            sameWrites(output, "-port", p, "-kill");           // responded with <>
            sameWrites(output, "-port", p, "-stop", "x");
        }
    }

    private void sameWrites(Output output, String... args) {
        sameWrites(output, List.of(args), List.of(args));
    }

    /** epmd with {@code epmdArgs} and jepmd with {@code jepmdArgs}: the same writes, the same exit status. */
    private void sameWrites(Output output, List<String> epmdArgs, List<String> jepmdArgs) {
        Traced reference = trace(output, "epmd", epmd, epmdArgs);
        Traced ours = trace(output, "java", Exec.JEPMD.toString(), jepmdArgs);
        String what = output + " " + abbreviate(jepmdArgs);
        assertEquals(reference.result().exit(), ours.result().exit(), what + ": exit status");
        assertEquals(reference.writes(), ours.writes(), what + ": writes to stdout and stderr");
    }

    /**
     * Runs {@code program args} under strace with stdout and stderr on {@code output}; the writes to
     * descriptors 1 and 2 by threads named {@code comm} (the client, not the launcher's shell).
     */
    private Traced trace(Output output, String comm, String program, List<String> args) {
        Path traceFile = work.resolve("trace-" + comm);
        List<String> command = new ArrayList<>(List.of(strace, "-f", "--seccomp-bpf", "-qq", "-Y", "-xx",
                "-s", "1000000", "-e", "trace=write", "-o", traceFile.toString(), program));
        command.addAll(args);
        Map<String, String> env = Exec.env(Map.of());
        Exec.Result result = switch (output) {
            case PIPE -> Exec.run(strace, env, command.subList(1, command.size()).toArray(String[]::new));
            case FILE -> runToFiles(command, env);
            case TERMINAL -> Exec.run(script, env, "-qec", shellLine(command), "/dev/null");
        };
        List<Write> writes = parse(traceFile, comm);
        if (output != Output.TERMINAL) { // the parse missed nothing that reached the streams
            assertEquals(result.out(), joined(writes, 1), comm + " stdout");
            assertEquals(result.err(), joined(writes, 2), comm + " stderr");
        }
        return new Traced(writes, result);
    }

    private static List<Write> parse(Path traceFile, String comm) {
        List<Write> writes = new ArrayList<>();
        for (String line : Exec.read(traceFile).split("\n")) {
            Matcher m = WRITE.matcher(line);
            if (m.find() && unescape(m.group(1)).equals(comm)) {
                assertTrue(m.group(4) == null, "strace cut a write short: " + line);
                writes.add(new Write(Integer.parseInt(m.group(2)), unescape(m.group(3))));
            }
        }
        return writes;
    }

    /** strace's {@code -xx} text: every byte as {@code \xNN}. */
    private static String unescape(String escaped) {
        if (!escaped.startsWith("\\x")) {
            return escaped; // a plain comm
        }
        byte[] bytes = new byte[escaped.length() / 4];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(escaped.substring(i * 4 + 2, i * 4 + 4), 16);
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String joined(List<Write> writes, int fd) {
        return writes.stream().filter(w -> w.fd() == fd).map(Write::bytes).collect(Collectors.joining());
    }

    /** The command with stdout and stderr redirected to regular files. */
    private Exec.Result runToFiles(List<String> command, Map<String, String> env) {
        Path out = work.resolve("stdout");
        Path err = work.resolve("stderr");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within 60 s");
            }
            return new Exec.Result(process.exitValue(), Exec.read(out), Exec.read(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String shellLine(List<String> command) {
        return command.stream().map(word -> "'" + word.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    private static String abbreviate(List<String> args) {
        String line = String.join(" ", args);
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }

    private RealEpmd daemon(String... args) {
        RealEpmd daemon = RealEpmd.start(args);
        cleanup.add(daemon);
        return daemon;
    }

    private void register(int port, String name) {
        EpmdWire.Conn conn = EpmdWire.connect(port);
        cleanup.add(conn);
        conn.send(EpmdWire.frame(EpmdWire.alive2(name, 45678)));
        assertEquals(0, conn.readExactly(6, 5000)[1], name + " registered");
    }

    /** A 200-byte node name. */
    private static String manyName(int i) {
        return String.format("n%03d_", i) + "x".repeat(195);
    }
}
