package org.jepmd.hardening;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.JepmdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.jepmd.testing.EpmdWire.alive2;
import static org.jepmd.testing.EpmdWire.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of connections that send one byte of a request and wait, within every connection cap:
 * epmd is full while they last and serves again the moment they go. jepmd must serve throughout
 * and answer within a second of the attack's end, its memory back at baseline. The daemon runs with the launcher's direct-memory
 * settings scaled down (4 MiB), so that the attack is as large, relative to the limit, as 11,500
 * connections against the launcher's 32 MiB.
 */
class HalfSentFloodTest {
    private static final List<String> LAUNCHER_MEMORY_SCALED_DOWN =
            List.of("-XX:MaxDirectMemorySize=4m", "-Dio.netty.allocator.type=unpooled");
    /** 2,000 reads of 3,059 bytes would hold 6.1 MB, 1.5 times the limit. */
    private static final int ATTACKERS = 2_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void halfSentRequestsNeitherStopServiceNorOutliveTheirConnections() throws Exception {
        int port = FreePorts.next();
        int http = FreePorts.next();
        try (JepmdProcess jepmd = JepmdProcess.start(LAUNCHER_MEMORY_SCALED_DOWN, List.of(), "",
                // the HTTP endpoint binds after the epmd listener: ready when both accept
                () -> JepmdProcess.acceptsOnLoopback(port) && JepmdProcess.acceptsOnLoopback(http), port, "-packet_timeout", "60", "-http", "127.0.0.1:" + http);
             EpmdWire.Conn before = EpmdWire.connect(port)) {
            assertEquals(0, register(before, "before", 7101), "registration before the flood");
            long pid = jepmd.process().pid();
            int baselineFds = openFiles(pid);
            long baselineDirect = directMemoryUsed(http);

            List<Socket> attackers = halfSend(port, ATTACKERS);
            try {
                assertTrue(Lookups.millisUntil(() -> openFiles(pid) >= baselineFds + ATTACKERS - 16, 20_000) >= 0,
                        "the daemon did not accept the whole flood: " + openFiles(pid) + " descriptors");
                assertEquals(7101, Lookups.nodePort(port, "before"), "lookup during the flood");
                try (EpmdWire.Conn during = EpmdWire.connect(port)) {
                    assertEquals(0, register(during, "during", 7102), "registration during the flood");
                    String names = new String(EpmdWire.request(port, EpmdWire.names()), StandardCharsets.ISO_8859_1);
                    assertTrue(names.contains("name before at port 7101\n") && names.contains("name during at port 7102\n"),
                            "NAMES during the flood: " + names);
                }
                long direct = directMemoryUsed(http);
                assertTrue(direct <= baselineDirect + 64 * 1024,
                        "half-sent requests hold direct memory: " + baselineDirect + " -> " + direct + " bytes");
            } finally {
                for (Socket attacker : attackers) {
                    attacker.close();
                }
            }

            assertTrue(Lookups.millisUntil(() -> Lookups.nodePort(port, "before") == 7101, 1_000) >= 0,
                    "no lookup answered within 1 s of the flood's end");
            assertTrue(Lookups.millisUntil(() -> openFiles(pid) <= baselineFds + 1, 10_000) >= 0,
                    "connections still open 10 s after the flood: " + openFiles(pid)
                    + " descriptors, baseline " + baselineFds + "\n" + tail(jepmd.output()));
            assertTrue(directMemoryUsed(http) <= baselineDirect, "direct memory not back to its baseline");
            assertTrue(before.staysOpenFor(100), "the registration made before the flood was closed");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sigtermEndsTheDaemonWithinASecondDuringTheFlood() throws Exception {
        int port = FreePorts.next();
        try (JepmdProcess jepmd = JepmdProcess.start(LAUNCHER_MEMORY_SCALED_DOWN, List.of(), "",
                () -> JepmdProcess.acceptsOnLoopback(port), port, "-packet_timeout", "60")) {
            long pid = jepmd.process().pid();
            int baselineFds = openFiles(pid);
            List<Socket> attackers = halfSend(port, ATTACKERS);
            try {
                assertTrue(Lookups.millisUntil(() -> openFiles(pid) >= baselineFds + ATTACKERS - 16, 20_000) >= 0,
                        "the daemon did not accept the whole flood: " + openFiles(pid) + " descriptors");
                long start = System.nanoTime();
                jepmd.process().destroy();
                assertTrue(jepmd.process().waitFor(1, TimeUnit.SECONDS), "still running 1 s after SIGTERM");
                assertEquals(0, jepmd.process().exitValue(), "exit status after SIGTERM");
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
            } finally {
                for (Socket attacker : attackers) {
                    attacker.close();
                }
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHalfSentFloodFromRemoteAddressesLeavesLocalServiceIntact() throws Exception {
        int port = 4369; // in the test's own namespace
        int perAddress = 700; // under the per-peer cap of 1,000
        try (NetworkNamespaces ns = NetworkNamespaces.create()) {
            List<String> sources = ns.addClientAddresses(3);
            try (JepmdProcess jepmd = ns.startJepmd(LAUNCHER_MEMORY_SCALED_DOWN, port, "-packet_timeout", "60")) {
                ns.registerLocalNode(port, "before", 7101);
                long pid = jepmd.process().pid();
                int baselineFds = openFiles(pid);
                List<String> flood = new ArrayList<>(List.of("python3", "-c", String.join("\n",
                        "import socket, sys, time",
                        "held = []",
                        "for src in sys.argv[3:]:",
                        "    for _ in range(int(sys.argv[2])):",
                        "        s = socket.socket()",
                        "        s.bind((src, 0))",
                        "        s.connect(('" + ns.serverIp + "', " + port + "))",
                        "        s.send(b'\\x00')",
                        "        held.append(s)",
                        "print('held', len(held), flush=True)",
                        "time.sleep(600)"), "-", Integer.toString(perAddress)));
                flood.addAll(sources);
                Process attacker = ns.spawn(ns.client, flood.toArray(String[]::new));
                int attackers = perAddress * sources.size();
                assertEquals("held " + attackers, new java.io.BufferedReader(new java.io.InputStreamReader(
                        attacker.getInputStream(), StandardCharsets.UTF_8)).readLine());
                assertTrue(Lookups.millisUntil(() -> openFiles(pid) >= baselineFds + attackers - 16, 20_000) >= 0,
                        "the daemon did not accept the whole flood: " + openFiles(pid) + " descriptors");

                assertEquals(7101, localNodePort(ns, port, "before"), "loopback lookup during the flood");
                ns.registerLocalNode(port, "during", 7102);
                assertEquals(7102, localNodePort(ns, port, "during"), "loopback registration during the flood");

                attacker.destroyForcibly();
                attacker.waitFor(5, TimeUnit.SECONDS);
                assertEquals(7101, localNodePort(ns, port, "before"), "loopback lookup after the flood");
                assertTrue(Lookups.millisUntil(() -> openFiles(pid) <= baselineFds + 2, 10_000) >= 0,
                        "connections still open 10 s after the flood: " + openFiles(pid)
                        + " descriptors, baseline " + baselineFds + "\n" + tail(jepmd.output()));
            }
        }
    }

    /** PORT_PLEASE2 over the server namespace's loopback: the node's port, or -1. */
    private static int localNodePort(NetworkNamespaces ns, int port, String name) throws Exception {
        byte[] reply = NetClient.request(ns.server, "127.0.0.1", port, frame(EpmdWire.portPlease2(name))).bytes();
        return reply.length >= 4 && reply[0] == 'w' && reply[1] == 0 ? ((reply[2] & 0xFF) << 8) | (reply[3] & 0xFF) : -1;
    }

    /** Registers {@code name} on {@code conn} and returns the result byte of its ALIVE2_X_RESP. */
    private static int register(EpmdWire.Conn conn, String name, int nodePort) {
        byte[] reply = conn.send(frame(alive2(name, nodePort))).readExactly(6, 5_000);
        assertEquals('v', reply[0], "ALIVE2 reply tag");
        return reply[1];
    }

    /** Opens {@code count} connections that each send the first byte of a length and stop. */
    static List<Socket> halfSend(int port, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                socket.getOutputStream().write(0);
            }
        } catch (IOException | RuntimeException e) {
            for (Socket socket : sockets) {
                socket.close();
            }
            throw e;
        }
        return sockets;
    }

    static int openFiles(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long directMemoryUsed(int http) throws IOException {
        try (InputStream in = URI.create("http://127.0.0.1:" + http + "/metrics").toURL().openStream()) {
            String metrics = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(?m)^jepmd_direct_memory_used_bytes (\\S+)$").matcher(metrics);
            assertTrue(m.find(), "no jepmd_direct_memory_used_bytes in /metrics");
            return (long) Double.parseDouble(m.group(1));
        }
    }

    private static String tail(String log) {
        return log.length() <= 2_000 ? log : log.substring(log.length() - 2_000);
    }
}
