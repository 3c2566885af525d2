package org.jepmd.cli;

import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.ErlNode;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jepmd -restart} with real Erlang nodes (docs/operations.md, Restart without losing a node): a
 * daemon started by {@code scripts/jepmd -daemon}, two {@code erl -sname} nodes registered, and
 * lookups of one running without pause. A restart keeps every registration with its creation, and a
 * new daemon that dies in the middle of the hand-over leaves the old one serving.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RestartIT {
    private static final Pattern NODE = Pattern.compile("\"name\":\"([^\"]+)\"[^}]*\"creation\":(\\d+)");
    private static final Pattern PID = Pattern.compile("(?m)^pid: (\\d+)$");

    private final int port = FreePorts.next();
    private final int httpPort = FreePorts.next();
    private final String p = Integer.toString(port);
    private final String a = "restart_a_" + port;
    private final String b = "restart_b_" + port;
    private ErlNode nodeA;
    private ErlNode nodeB;

    @BeforeEach
    void daemonWithTwoNodes() {
        Requirements.erl();
        Exec.Result started = Exec.jepmd("-daemon", "-port", p, "-http", "127.0.0.1:" + httpPort);
        assertEquals(0, started.exit(), started.toString());
        nodeA = ErlNode.sname(a, port);
        nodeB = ErlNode.sname(b, port);
        Await.poll(Duration.ofSeconds(60), () -> Exec.jepmd("-port", p, "-names").out(),
                names -> names.contains("name " + a + " at port ") && names.contains("name " + b + " at port "));
    }

    @AfterEach
    void stopEverything() {
        for (ErlNode node : new ErlNode[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        Exec.killDaemons(port);
    }

    @Test
    void aRestartKeepsBothNodesWithTheirCreationsAndNoLookupFails() throws Exception {
        long oldPid = daemonPid();
        Map<String, Long> creations = creations();
        assertEquals(Set.of(a, b), creations.keySet(), creations.toString());

        Lookups lookups = Lookups.of(port, a);
        Thread.sleep(300);
        long start = System.nanoTime();
        CompletableFuture<Long> oldExited = exitOf(oldPid, start);
        Exec.Result restart = Exec.jepmd("-port", p, "-restart");
        long commandMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long handOverMillis = oldExited.get(30, TimeUnit.SECONDS);
        Thread.sleep(300);
        lookups.stop();

        System.out.printf("restart with 2 real nodes: -restart returned after %d ms, the old process exited"
                        + " after %d ms; %d lookups during it (%d/s), %d failed, the slowest %d ms%n", commandMillis,
                handOverMillis, lookups.done(), lookups.perSecond(), lookups.failed(), lookups.slowestMillis());
        assertEquals(new Exec.Result(0, "", ""), restart, restart.toString());
        assertEquals(0, lookups.failed(), "failed lookups");
        assertTrue(lookups.done() > 0, "no lookup ran");
        assertNotEquals(oldPid, daemonPid(), "the same process serves");
        assertEquals(creations, creations(), "creations after the restart");
        assertTrue(handOverMillis < 20_000, "the hand-over took " + handOverMillis + " ms");
        assertNodesWorkAsRegistered(creations);
    }

    @Test
    void aNewDaemonKilledMidHandOverLeavesTheOldServingUnchanged() throws Exception {
        Map<String, Long> creations = creations();
        try (Signals signals = new Signals()) {
            for (int attempt = 1; attempt <= 5; attempt++) {
                long oldPid = daemonPid();
                Set<String> listener = listenerInodes(port);
                CompletableFuture<Exec.Result> restart = CompletableFuture.supplyAsync(
                        () -> Exec.jepmd("-port", p, "-restart"));
                long newPid = Await.value(Duration.ofSeconds(60), () -> takingOverPid(port, oldPid), Optional::isPresent,
                        () -> "the new daemon to start").get();
                // frozen once it holds the listening socket: the old daemon has paused and sent descriptors
                awaitEveryMillisecond(() -> holdsAny(newPid, listener), "the new daemon to receive the listening socket");
                signals.send("STOP", newPid);
                // a commit closes the old daemon's own descriptors at once; without one it holds them
                if (Await.holdsWithin(Duration.ofSeconds(2), () -> !holdsAny(oldPid, listener))) {
                    System.out.println("attempt " + attempt + ": the new daemon had sent READY already; again");
                    signals.send("CONT", newPid);
                    assertEquals(0, restart.get(60, TimeUnit.SECONDS).exit());
                    continue;
                }
                ProcessHandle.of(newPid).ifPresent(ProcessHandle::destroyForcibly);
                Exec.Result result = restart.get(60, TimeUnit.SECONDS);
                System.out.println("attempt " + attempt + ": killed mid-hand-over; -restart said: " + result.err().strip());
                assertEquals(1, result.exit(), result.toString());
                assertEquals("", result.out());
                assertEquals(1, result.err().lines().count(), result.err());
                assertEquals(oldPid, daemonPid(), "the old daemon serves");
                assertTrue(Lookups.found(port, a), "a lookup after the failed restart");
                assertEquals(creations, creations(), "creations after the failed restart");
                assertNodesWorkAsRegistered(creations);
                return;
            }
        }
        throw new AssertionError("never caught the new daemon between the descriptors and its READY in 5 attempts");
    }

    /** Both nodes listed; each one's own creation is the daemon's; each reaches the other through the daemon. */
    private void assertNodesWorkAsRegistered(Map<String, Long> creations) {
        String names = Exec.jepmd("-port", p, "-names").out();
        assertTrue(names.contains("name " + a + " at port ") && names.contains("name " + b + " at port "), names);
        String probe = "[_, H] = string:split(atom_to_list(node()), \"@\"),"
                + " A = list_to_atom(\"" + a + "@\" ++ H), B = list_to_atom(\"" + b + "@\" ++ H),"
                + " io:format(\"~p ~p ~p ~p~n\", [rpc:call(A, net_adm, ping, [B]), rpc:call(B, net_adm, ping, [A]),"
                + " rpc:call(A, erlang, system_info, [creation]), rpc:call(B, erlang, system_info, [creation])]),"
                + " halt().";
        Exec.Result checked = Exec.run(Requirements.erl(), Exec.env(Map.of()), "-noshell", "-start_epmd", "false",
                "-epmd_port", p, "-sname", "restart_c_" + port, "-setcookie", "jepmdtest", "-eval", probe);
        assertEquals("pong pong " + creations.get(a) + " " + creations.get(b) + "\n", checked.out(), checked.toString());
    }

    /** Polls {@code condition} every millisecond, for up to a minute: {@link Await} backs off, too slow here. */
    private static void awaitEveryMillisecond(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private long daemonPid() {
        Exec.Result info = Exec.jepmd("-port", p, "-info");
        Matcher pid = PID.matcher(info.out());
        assertTrue(pid.find(), info.toString());
        return Long.parseLong(pid.group(1));
    }

    /** The creations the daemon gave, by name, from {@code -http}'s /nodes. */
    private Map<String, Long> creations() throws IOException, InterruptedException {
        HttpResponse<String> nodes = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/nodes")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Long> creations = new TreeMap<>();
        Matcher node = NODE.matcher(nodes.body());
        while (node.find()) {
            creations.put(node.group(1), Long.parseLong(node.group(2)));
        }
        return creations;
    }

    /** Completes with the milliseconds from {@code start} to the process's exit (polled every millisecond). */
    private static CompletableFuture<Long> exitOf(long pid, long start) {
        return CompletableFuture.supplyAsync(() -> {
            long deadline = start + TimeUnit.SECONDS.toNanos(60);
            while (isAlive(pid) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        });
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !procStatus(pid).contains("State:\tZ");
    }

    private static String procStatus(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The detached daemon that -restart's launcher started on {@code port}: a JVM run as
     * {@code ... -port PORT -restart} that reports on stderr (as is the daemon serving now, if it took
     * over itself).
     */
    private static Optional<Long> takingOverPid(int port, long serving) {
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> pid != serving).filter(pid -> {
            try {
                String environ = Files.readString(Path.of("/proc", Long.toString(pid), "environ"),
                        StandardCharsets.ISO_8859_1) + "\0";
                String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1);
                // the JVM itself: not the launcher or setsid on their way to it
                boolean java = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"))
                        .getFileName().toString().equals("java");
                return java && cmdline.endsWith("\0-port\0" + port + "\0-restart\0")
                        && environ.matches("(?s)(.*\0)?JEPMD_DAEMON_STATUS=stderr\0.*");
            } catch (IOException | UncheckedIOException e) {
                return false;
            }
        }).findFirst();
    }

    /** The inodes of the sockets listening on {@code port}, from /proc/net/tcp and tcp6. */
    private static Set<String> listenerInodes(int port) throws IOException {
        String local = String.format(":%04X", port);
        Set<String> inodes = new HashSet<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[1].endsWith(local) && fields[3].equals("0A")) {
                    inodes.add("socket:[" + fields[9] + "]");
                }
            }
        }
        assertTrue(!inodes.isEmpty(), "nothing listens on " + port);
        return inodes;
    }

    /** Whether the process holds a descriptor of one of these sockets. */
    private static boolean holdsAny(long pid, Set<String> sockets) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return sockets.contains(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** PORT_PLEASE2 of one name, over and over on new connections, from one thread. */
    private static final class Lookups {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicLong slowestNanos = new AtomicLong();
        private final Thread thread;
        private final long start = System.nanoTime();
        private long elapsedNanos;

        private Lookups(int port, String name) {
            thread = new Thread(() -> {
                while (running.get()) {
                    long started = System.nanoTime();
                    (found(port, name) ? done : failed).incrementAndGet();
                    slowestNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
                }
            }, "lookups");
        }

        static Lookups of(int port, String name) {
            Lookups lookups = new Lookups(port, name);
            lookups.thread.start();
            return lookups;
        }

        /** True when the daemon answers PORT2_RESP with result 0 for {@code name}. */
        static boolean found(int port, String name) {
            try {
                byte[] reply = EpmdWire.request(port, EpmdWire.portPlease2(name));
                return reply.length > 2 && reply[0] == 119 && reply[1] == 0;
            } catch (RuntimeException e) {
                return false;
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
            elapsedNanos = System.nanoTime() - start;
        }

        int done() {
            return done.get();
        }

        int failed() {
            return failed.get();
        }

        /** The longest a lookup took: about how long the daemons served no one. */
        long slowestMillis() {
            return TimeUnit.NANOSECONDS.toMillis(slowestNanos.get());
        }

        long perSecond() {
            return done.get() * 1_000_000_000L / Math.max(1, elapsedNanos);
        }
    }

    /** {@code kill -s SIGNAL pid} through one bash kept running, so a signal goes out within a millisecond. */
    private static final class Signals implements AutoCloseable {
        private final Process shell;
        private final Writer commands;
        private final BufferedReader answers;

        Signals() throws IOException {
            shell = new ProcessBuilder("bash", "-c", "while read -r s p; do kill -s \"$s\" \"$p\"; echo done; done")
                    .redirectErrorStream(true).start();
            commands = new java.io.OutputStreamWriter(shell.getOutputStream(), StandardCharsets.US_ASCII);
            answers = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII));
        }

        void send(String signal, long pid) throws IOException {
            commands.write(signal + " " + pid + "\n");
            commands.flush();
            String answer = answers.readLine();
            assertEquals("done", answer, "kill -s " + signal + " " + pid);
        }

        @Override
        public void close() {
            shell.destroy();
        }
    }
}
