package org.jepmd.systemd;

import org.jepmd.Main;
import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.ErlNode;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.LoggedProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code systemctl restart} of a {@code -systemd} daemon, with a fake systemd ({@link FakeSystemd})
 * holding the socket and the fd store: the old daemon stores the state and the registration
 * connections on SIGTERM, the new one adopts them from {@code LISTEN_FDS} and empties the store.
 */
@Timeout(120)
class FdStoreRestartTest {
    private static final Pattern NODE = Pattern.compile("\"name\":\"([^\"]+)\"[^}]*\"creation\":(\\d+)");
    private static final String READY = "notify READY=1";
    /** A connection stored under its socket's inode. */
    private static final Pattern STORED_NODE = Pattern.compile("notify FDSTORE=1\\|FDNAME=(jepmd-node-\\d+) fds=1");

    private final int port = FreePorts.next();
    private final int httpPort = FreePorts.next();

    private List<String> daemon() {
        return LoggedProcess.javaCommand(Main.class.getName(), "-port", Integer.toString(port), "-systemd",
                "-http", "127.0.0.1:" + httpPort);
    }

    @Test
    void aRestartKeepsEveryRegistrationWithItsCreationAndNoLookupFails() throws Exception {
        try (FakeSystemd systemd = FakeSystemd.start(port, 64, false, daemon())) {
            systemd.send("start");
            long oldPid = pid(systemd.await(l -> l.startsWith("started"), "start", 10_000));
            systemd.await(l -> l.startsWith(READY), "READY=1", 30_000);
            EpmdWire.Conn alpha = register("alpha", 40001);
            EpmdWire.Conn beta = register("beta", 40002);
            EpmdWire.Conn gamma = register("gamma", 40003);
            Map<String, Long> creations = creations();
            assertEquals(List.of("alpha", "beta", "gamma"), List.copyOf(creations.keySet()));

            Lookups lookups = new Lookups(port, "alpha");
            long stopAsked = System.nanoTime();
            stopOld(systemd);
            long stopped = System.nanoTime();
            assertTrue(systemd.seen().containsAll(List.of("notify STOPPING=1 fds=0", "notify FDSTORE=1|FDNAME=jepmd-state fds=1")),
                    systemd.seen().toString());
            List<String> nodeNames = systemd.seen().stream().map(STORED_NODE::matcher).filter(Matcher::matches)
                    .map(m -> m.group(1)).toList();
            assertEquals(3, nodeNames.stream().distinct().count(), "one name per connection: " + systemd.seen());
            List<String> held = new java.util.ArrayList<>(List.of("jepmd-state"));
            held.addAll(nodeNames);
            assertEquals(held, systemd.store());

            gamma.close(); // while no daemon runs: the next one reads the close from the stored connection
            systemd.send("start");
            long newPid = pid(systemd.await(l -> l.startsWith("started"), "start", 10_000));
            systemd.await(l -> l.startsWith(READY), "READY=1 of the new daemon", 30_000);
            long ready = System.nanoTime();
            assertNotEquals(oldPid, newPid);
            assertEquals(List.of(), systemd.store(), "the new daemon empties the store: " + systemd.seen());
            assertTrue(systemd.seen().containsAll(held.stream().map(n -> "notify FDSTOREREMOVE=1|FDNAME=" + n + " fds=0").toList()),
                    systemd.seen().toString());

            Await.until(Duration.ofSeconds(10), () -> !creations().containsKey("gamma"), () -> "gamma unregistered");
            lookups.stop();
            Map<String, Long> kept = new TreeMap<>(creations);
            kept.remove("gamma");
            assertEquals(kept, creations(), "creations after the restart");
            assertTrue(alpha.staysOpenFor(200), "alpha's connection saw no close");
            assertEquals(0, lookups.failed.get(), lookups + "\n" + systemd.serviceLog());
            assertTrue(lookups.done.get() > 0, lookups.toString());
            System.out.printf("fd store restart: SIGTERM to old exit %d ms, to new READY %d ms; %s%n",
                    TimeUnit.NANOSECONDS.toMillis(stopped - stopAsked), TimeUnit.NANOSECONDS.toMillis(ready - stopAsked), lookups);

            beta.close(); // the new daemon watches the adopted connection
            Await.until(Duration.ofSeconds(10), () -> !creations().containsKey("beta"), () -> "beta unregistered");
            alpha.close();
        }
    }

    @Test
    void afterLostRemovalsAndRegistrationsThatComeAndGoEveryNodeKeepsItsOwnConnection() throws Exception {
        try (FakeSystemd systemd = FakeSystemd.start(port, 64, false, daemon())) {
            startDaemon(systemd);
            EpmdWire.Conn alpha = register("alpha", 40001);
            EpmdWire.Conn beta = register("beta", 40002);
            EpmdWire.Conn gamma = register("gamma", 40003);
            stopOld(systemd);
            systemd.send("lose-removals"); // the next daemon leaves the store full, as if it crashed before emptying it
            startDaemon(systemd);
            alpha.close();
            Await.until(Duration.ofSeconds(10), () -> !creations().containsKey("alpha"), () -> "alpha unregistered");
            EpmdWire.Conn delta = register("delta", 40004);
            Map<String, Long> creations = creations();
            assertEquals(List.of("beta", "delta", "gamma"), List.copyOf(creations.keySet()));

            restart(systemd); // beta and gamma are stored again: systemd keeps them once, under their first names
            assertTrue(systemd.seen().stream().filter(l -> l.startsWith("duplicate")).count() >= 2, systemd.seen().toString());
            Map<String, Integer> ports = new TreeMap<>(Map.of("beta", 40002, "gamma", 40003, "delta", 40004));
            assertAll("every node with its own connection",
                    () -> assertEquals(ports, portsAnswered(ports.keySet()), "each lookup answers its own node's port"),
                    () -> assertTrue(beta.staysOpenFor(200), "beta's connection closed by the new daemon"),
                    () -> assertTrue(gamma.staysOpenFor(200), "gamma's connection closed by the new daemon"),
                    () -> assertTrue(delta.staysOpenFor(200), "delta's connection closed by the new daemon"),
                    () -> assertEquals(creations, creations(), "creations after the second restart"),
                    () -> assertEquals(List.of(), systemd.store(), "the stale names are removed too: " + systemd.seen()),
                    () -> {
                        beta.close(); // unregisters beta and nobody else
                        Await.until(Duration.ofSeconds(10), () -> !creations().containsKey("beta"), () -> "beta unregistered");
                        assertTrue(delta.staysOpenFor(200), "delta stays");
                        Map<String, Long> left = new TreeMap<>(creations);
                        left.remove("beta");
                        assertEquals(left, creations(), "closing beta's connection left gamma and delta registered");
                    });
            gamma.close();
            delta.close();
        }
    }

    @Test
    void aConnectionKeptAfterARefusedAlive2GoesThroughTheStoreOpen() throws Exception {
        try (FakeSystemd systemd = FakeSystemd.start(port, 64, false, daemon())) {
            startDaemon(systemd);
            EpmdWire.Conn alpha = register("alpha", 40001);
            EpmdWire.Conn refused = EpmdWire.connect(port).send(EpmdWire.frame(EpmdWire.alive2("alpha", 40999)));
            byte[] reply = refused.readExactly(6, 5000);
            assertEquals('v', reply[0]);
            assertNotEquals(0, reply[1], "refused: the name is taken");
            Map<String, Long> creations = creations();

            restart(systemd);
            assertEquals(2, systemd.seen().stream().filter(l -> STORED_NODE.matcher(l).matches()).count(),
                    "the registration's connection and the refused one stored: " + systemd.seen());
            assertEquals(List.of(), systemd.store(), "the new daemon empties the store: " + systemd.seen());
            assertTrue(refused.staysOpenFor(300), "the refused connection went over, open");
            assertTrue(alpha.staysOpenFor(100), "alpha's connection saw no close");
            assertEquals(creations, creations(), "creations after the restart");
            refused.send(new byte[] {1}); // a stray byte: the new daemon closes it, as epmd closes any kept connection
            assertTrue(refused.closesSilentlyWithin(5000), "the new daemon serves the refused connection");
            assertEquals(creations, creations(), "alpha stays registered");
            alpha.close();
        }
    }

    @Test
    void aThousandRegistrationsGoThroughTheStore() throws Exception {
        try (FakeSystemd systemd = FakeSystemd.start(port, 4096, true, daemon())) {
            startDaemon(systemd);
            List<EpmdWire.Conn> nodes = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    nodes.add(register("n" + i, 20000 + i));
                }
                Map<String, Long> creations = creations();
                assertEquals(1000, creations.size());
                Lookups lookups = new Lookups(port, "n500");
                long stopAsked = System.nanoTime();
                stopOld(systemd);
                long stopped = System.nanoTime();
                assertEquals(1001, systemd.store().size());
                startDaemon(systemd);
                long ready = System.nanoTime();
                lookups.stop();
                System.out.printf("fd store restart of 1000 registrations: SIGTERM to old exit %d ms, to new READY %d ms; %s%n",
                        TimeUnit.NANOSECONDS.toMillis(stopped - stopAsked), TimeUnit.NANOSECONDS.toMillis(ready - stopAsked),
                        lookups);
                assertEquals(0, lookups.failed.get(), lookups.toString());
                assertEquals(creations, creations(), "creations after the restart");
                assertEquals(List.of(), systemd.store());
                assertTrue(nodes.get(999).staysOpenFor(100), "n999's connection saw no close");
            } finally {
                nodes.forEach(EpmdWire.Conn::close);
            }
        }
    }

    @Test
    void twoRealNodesStayRegisteredWithTheirCreationsAndReachEachOtherAfterARestart() throws Exception {
        String a = "fdstore_a_" + port;
        String b = "fdstore_b_" + port;
        try (FakeSystemd systemd = FakeSystemd.start(port, 64, false, daemon())) {
            startDaemon(systemd);
            try (ErlNode nodeA = ErlNode.sname(a, port); ErlNode nodeB = ErlNode.sname(b, port)) {
                Map<String, Long> creations = Await.value(Duration.ofSeconds(60), this::creations,
                        c -> c.keySet().equals(java.util.Set.of(a, b)), () -> "both nodes registered");
                Lookups lookups = new Lookups(port, a);
                long stopAsked = System.nanoTime();
                restart(systemd);
                long ready = System.nanoTime();
                lookups.stop();
                System.out.printf("fd store restart with 2 real nodes: SIGTERM to new READY %d ms; %s%n",
                        TimeUnit.NANOSECONDS.toMillis(ready - stopAsked), lookups);
                assertEquals(0, lookups.failed.get(), lookups.toString());
                assertEquals(creations, creations(), "creations after the restart");
                assertEquals("pong pong " + creations.get(a) + " " + creations.get(b) + "\n", pingsAndCreations(a, b));
                assertTrue(nodeA.process().isAlive() && nodeB.process().isAlive(), nodeA.output() + nodeB.output());
            }
        }
    }

    /** Each node pings the other through the daemon, and tells its creation: "pong pong CA CB". */
    private String pingsAndCreations(String a, String b) throws InterruptedException {
        String probe = "[_, H] = string:split(atom_to_list(node()), \"@\"),"
                + " A = list_to_atom(\"" + a + "@\" ++ H), B = list_to_atom(\"" + b + "@\" ++ H),"
                + " io:format(\"~p ~p ~p ~p~n\", [rpc:call(A, net_adm, ping, [B]), rpc:call(B, net_adm, ping, [A]),"
                + " rpc:call(A, erlang, system_info, [creation]), rpc:call(B, erlang, system_info, [creation])]),"
                + " halt().";
        try (ErlNode checker = ErlNode.start(port, "-sname", "fdstore_c_" + port, "-setcookie", "jepmdtest",
                "-eval", probe)) {
            assertEquals(0, checker.exitStatus(60_000), checker.output());
            return checker.stdout();
        }
    }

    @Test
    void jepmdRestartRefusesASystemdDaemonAndPointsToSystemctl() throws Exception {
        try (FakeSystemd systemd = FakeSystemd.start(port, 64, false, daemon())) {
            startDaemon(systemd);
            EpmdWire.Conn alpha = register("alpha", 40001);
            Map<String, Long> creations = creations();
            try (LoggedProcess restart = LoggedProcess.start(LoggedProcess.javaCommand(Main.class.getName(),
                    "-port", Integer.toString(port), "-restart"), "JEPMD_DAEMON_STATUS=stderr")) {
                assertEquals(1, restart.exitStatus(30_000), restart.output());
                assertEquals("epmd: cannot restart: a daemon under systemd restarts with systemctl restart\n",
                        restart.stderr());
            }
            assertEquals(creations, creations(), "the daemon serves on, untouched");
            assertTrue(alpha.staysOpenFor(100), "alpha's connection saw no close");
            alpha.close();
        }
    }

    @Test
    void underSystemd252WithoutAStoreTheNodesSeeACloseAsBefore() throws Exception {
        try (FakeSystemd systemd = FakeSystemd.start(port, 0, false, daemon())) {
            startDaemon(systemd);
            EpmdWire.Conn alpha = register("alpha", 40001);
            restart(systemd);
            assertTrue(systemd.seen().stream().anyMatch(l -> l.matches("dropped jepmd-node-\\d+")), systemd.seen().toString());
            assertTrue(alpha.closesSilentlyWithin(10_000), "alpha sees a close and registers again");
            assertEquals(Map.of(), creations());
        }
    }

    @Test
    void aStateOfAnUnknownFormatIsLoggedItsConnectionsClosedAndTheDaemonServes() throws Exception {
        try (FakeSystemd systemd = FakeSystemd.start(port, 64, false, 99, daemon())) {
            startDaemon(systemd);
            EpmdWire.Conn alpha = register("alpha", 40001);
            restart(systemd);
            assertTrue(alpha.closesSilentlyWithin(10_000), "alpha's connection closed: the node registers again");
            assertTrue(systemd.serviceLog().contains("state format 99 is unknown"), systemd.serviceLog());
            assertEquals(Map.of(), creations());
            register("alpha", 40001).close();
            assertEquals(List.of(), systemd.store());
        }
    }

    @Test
    void underSystemd254ItStoresNoMoreThanFdstoreSaysAndTheNodesLeftOutSeeAClose() throws Exception {
        try (FakeSystemd systemd = FakeSystemd.start(port, 2, true, daemon())) {
            startDaemon(systemd);
            EpmdWire.Conn alpha = register("alpha", 40001);
            EpmdWire.Conn beta = register("beta", 40002);
            Map<String, Long> creations = creations();
            restart(systemd);
            assertFalse(systemd.seen().stream().anyMatch(l -> l.startsWith("dropped")), systemd.seen().toString());
            assertTrue(beta.closesSilentlyWithin(10_000), "beta, beyond FDSTORE, sees a close");
            assertEquals(Map.of("alpha", creations.get("alpha")), creations());
            assertTrue(alpha.staysOpenFor(200), "alpha's connection saw no close");
            alpha.close();
        }
    }

    /** SIGTERM, the old daemon's exit 0, the new daemon's start and READY=1. */
    private static void restart(FakeSystemd systemd) throws Exception {
        stopOld(systemd);
        startDaemon(systemd);
    }

    /** SIGTERM and the daemon's exit with status 0. */
    private static void stopOld(FakeSystemd systemd) throws Exception {
        systemd.send("term");
        systemd.await(l -> l.startsWith("exited"), "the old daemon's exit", 60_000);
        assertEquals("exited 0", last(systemd));
    }

    /** A daemon started and its READY=1. */
    private static void startDaemon(FakeSystemd systemd) throws Exception {
        systemd.send("start");
        systemd.await(l -> l.startsWith(READY), "READY=1", 60_000);
    }

    private static String last(FakeSystemd systemd) {
        List<String> seen = systemd.seen();
        return seen.get(seen.size() - 1);
    }

    private static long pid(String started) {
        return Long.parseLong(started.substring("started ".length()));
    }

    /** An ALIVE2 registration on its own connection, answered with result 0. */
    private EpmdWire.Conn register(String name, int nodePort) {
        EpmdWire.Conn conn = EpmdWire.connect(port);
        conn.send(EpmdWire.frame(EpmdWire.alive2(name, nodePort)));
        byte[] reply = conn.readExactly(6, 5000);
        assertEquals('v', reply[0]);
        assertEquals(0, reply[1]);
        return conn;
    }

    /** The port PORT_PLEASE2 answers for each name, -1 when not found. */
    private Map<String, Integer> portsAnswered(java.util.Set<String> names) {
        Map<String, Integer> answered = new TreeMap<>();
        for (String name : names) {
            byte[] reply = EpmdWire.request(port, EpmdWire.portPlease2(name));
            answered.put(name, reply.length >= 4 && reply[0] == 119 && reply[1] == 0
                    ? (reply[2] & 0xff) << 8 | reply[3] & 0xff : -1);
        }
        return answered;
    }

    /** The creations the daemon gave, by name, from {@code -http}'s /nodes. */
    private Map<String, Long> creations() throws Exception {
        HttpResponse<String> nodes = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/nodes")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Map<String, Long> creations = new TreeMap<>();
        Matcher node = NODE.matcher(nodes.body());
        while (node.find()) {
            creations.put(node.group(1), Long.parseLong(node.group(2)));
        }
        return creations;
    }

    /** PORT_PLEASE2 of one name, over and over on new connections, from one thread. */
    private static final class Lookups {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private long slowestNanos;
        private final Thread thread;

        Lookups(int port, String name) {
            thread = new Thread(() -> {
                while (running.get()) {
                    long started = System.nanoTime();
                    boolean found;
                    try {
                        byte[] reply = EpmdWire.request(port, EpmdWire.portPlease2(name));
                        found = reply.length > 2 && reply[0] == 119 && reply[1] == 0;
                    } catch (RuntimeException e) {
                        found = false;
                    }
                    (found ? done : failed).incrementAndGet();
                    slowestNanos = Math.max(slowestNanos, System.nanoTime() - started);
                }
            }, "lookups");
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        @Override
        public String toString() {
            return done + " lookups found, " + failed + " failed, the slowest " + TimeUnit.NANOSECONDS.toMillis(slowestNanos) + " ms";
        }
    }
}
