package org.jepmd.hardening;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.JepmdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soak: mixed churn against jepmd in its own JVM for {@code -Djepmd.soakSeconds} (scripts/soak):
 * registrations coming and going (fast restarts of one name included), lookups, NAMES, idle and
 * dribbling clients, garbage and mutated packets. Ends by checking that every long-lived registration
 * still answers exactly as at the start, nothing else is left registered, and the heap after a full
 * GC has not grown. Not part of {@code mvn test}.
 */
@EnabledIfSystemProperty(named = "jepmd.soakSeconds", matches = "\\d+")
class SoakTest {
    private static final int STABLE = 50;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @Test
    void mixedChurnLosesNoRegistrationAndMemoryStaysFlat() throws Exception {
        long seconds = Long.getLong("jepmd.soakSeconds");
        int port = FreePorts.next();
        // -Djepmd.soakMemoryPressure=true: the launcher's direct memory scaled down to 4 MiB, and floods
        // of half-sent requests that would exceed it come and go throughout
        boolean pressure = Boolean.getBoolean("jepmd.soakMemoryPressure");
        List<String> jvm = pressure ? List.of("-XX:MaxDirectMemorySize=4m", "-Dio.netty.allocator.type=unpooled") : List.of();
        try (JepmdProcess jepmd = JepmdProcess.start(jvm, List.of(), "", () -> JepmdProcess.acceptsOnLoopback(port),
                port, "-packet_timeout", "2")) {
            long pid = jepmd.process().pid();
            List<Socket> stable = new ArrayList<>();
            List<byte[]> stableReplies = new ArrayList<>();
            for (int i = 0; i < STABLE; i++) {
                stable.add(register(port, "stable" + i, 10_000 + i));
                stableReplies.add(Lookups.port2(port, "stable" + i));
            }
            if (pressure) {
                flood(port); // sizes Netty's per-thread object pools once: growth is measured from there
            }
            long idleBefore = heapAfterGc(pid);
            ExecutorService pool = Executors.newFixedThreadPool(7);
            pool.submit(() -> loop("churn", r -> churn(port, r)));
            pool.submit(() -> loop("restart", r -> fastRestart(port)));
            pool.submit(() -> loop("lookup", r -> lookup(port, r, stableReplies)));
            pool.submit(() -> loop("names", r -> names(port)));
            pool.submit(() -> loop("slow", r -> slowClients(port, r)));
            pool.submit(() -> loop("garbage", r -> garbage(port, r)));
            if (pressure) {
                pool.submit(() -> loop("flood", r -> flood(port)));
            }

            List<String> memory = new ArrayList<>();
            long start = System.nanoTime();
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
                Thread.sleep(Math.min(10_000, TimeUnit.SECONDS.toMillis(seconds) / 6 + 1));
                long heap = heapAfterGc(pid);
                long rss = rssKb(pid);
                long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                memory.add(elapsed + "s heap " + heap + "K rss " + rss + "K");
                assertTrue(jepmd.process().isAlive(), "jepmd died: " + jepmd.output());
            }
            running.set(false);
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "churn did not stop");
            Thread.sleep(2_500); // packet timeout for the last slow clients

            for (int i = 0; i < STABLE; i++) {
                assertArrayEquals(stableReplies.get(i), Lookups.port2(port, "stable" + i), "stable" + i + " lost or changed");
            }
            byte[] namesReply = EpmdWire.request(port, EpmdWire.names());
            String names = new String(namesReply, 4, namesReply.length - 4, StandardCharsets.ISO_8859_1); // after the port header
            long listed = names.lines().filter(l -> l.startsWith("name ")).count();
            assertEquals(STABLE, listed, "registrations left behind by churn: " + names);
            long idleAfter = heapAfterGc(pid);
            System.out.println("soak " + seconds + " s" + (pressure ? " under memory pressure" : "") + ": " + counts);
            memory.forEach(m -> System.out.println("  memory " + m));
            System.out.println("  idle heap after full GC: before churn " + idleBefore + "K, after churn " + idleAfter
                    + "K; rss at end " + rssKb(pid) + "K");
            assertTrue(idleAfter < idleBefore + 4 * 1024, "heap grew from " + idleBefore + "K to " + idleAfter + "K");
            assertEquals(0, count("errors"), "unexpected replies during the soak");
            for (Socket s : stable) {
                s.close();
            }
        }
    }

    /** 1,500 connections that send one byte each, held for a second, then closed. */
    private static void flood(int port) throws Exception {
        List<Socket> attackers = HalfSentFloodTest.halfSend(port, 1_500);
        Thread.sleep(1_000);
        for (Socket attacker : attackers) {
            attacker.close();
        }
    }

    interface Step {
        void run(Random random) throws Exception;
    }

    private void loop(String name, Step step) {
        Random random = new Random(name.hashCode());
        while (running.get()) {
            try {
                step.run(random);
                counts.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
            } catch (Exception | AssertionError e) {
                counts.computeIfAbsent("errors", k -> new AtomicLong()).incrementAndGet();
                System.out.println(name + ": " + e);
            }
        }
    }

    private long count(String name) {
        AtomicLong c = counts.get(name);
        return c == null ? 0 : c.get();
    }

    private static Socket register(int port, String name, int nodePort) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        s.setSoTimeout(5_000);
        s.getOutputStream().write(EpmdWire.frame(EpmdWire.alive2(name, nodePort)));
        byte[] reply = s.getInputStream().readNBytes(6);
        if (reply.length != 6 || reply[0] != 'v' || reply[1] != 0) {
            s.close();
            throw new AssertionError("registration of " + name + " refused: " + Arrays.toString(reply));
        }
        return s;
    }

    private static void churn(int port, Random random) throws Exception {
        try (Socket s = register(port, "churn" + random.nextInt(200) + "_" + Thread.currentThread().getId()
                + "_" + System.nanoTime() % 1000, 20_000 + random.nextInt(1000))) {
            Thread.sleep(random.nextInt(20));
        }
    }

    /** erlang/otp#11083's pattern: close a registration and register the same name at once. */
    private static void fastRestart(int port) throws Exception {
        try (Socket s = register(port, "restarter", 30_000)) {
            s.setSoLinger(true, 0);
        }
    }

    private static void lookup(int port, Random random, List<byte[]> expected) {
        int i = random.nextInt(STABLE);
        byte[] got = Lookups.port2(port, "stable" + i);
        if (!Arrays.equals(expected.get(i), got)) {
            throw new AssertionError("stable" + i + " answered " + Arrays.toString(got));
        }
    }

    private static void names(int port) {
        String names = new String(EpmdWire.request(port, EpmdWire.names()), StandardCharsets.ISO_8859_1);
        if (!names.contains("name stable0 at port 10000\n")) {
            throw new AssertionError("NAMES lost stable0");
        }
    }

    /** 50 clients that connect, stay idle or dribble, and are closed by the 2 s packet timeout. */
    private static void slowClients(int port, Random random) throws Exception {
        List<Socket> crowd = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                crowd.add(s);
            }
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < crowd.size(); i += 2) {
                    try {
                        crowd.get(i).getOutputStream().write(random.nextInt(256));
                    } catch (IOException closed) {
                        // closed at its deadline
                    }
                }
                Thread.sleep(600);
            }
        } finally {
            for (Socket s : crowd) {
                s.close();
            }
        }
    }

    private static void garbage(int port, Random random) throws Exception {
        byte[] packet;
        if (random.nextBoolean()) {
            packet = new byte[random.nextInt(40)];
            random.nextBytes(packet);
        } else {
            packet = PipelineFuzzTest.mutate(EpmdWire.frame(EpmdWire.alive2("garbage" + random.nextInt(5), 1)),
                    random.nextInt(5), random.nextInt(1 << 16), (byte) random.nextInt());
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            s.setSoTimeout(50);
            OutputStream out = s.getOutputStream();
            out.write(packet);
            InputStream in = s.getInputStream();
            try {
                in.readNBytes(64);
            } catch (IOException timeoutOrReset) {
                // some garbage waits for more bytes, some is closed, a valid mutation may register
            }
        }
    }

    private static long heapAfterGc(long pid) throws Exception {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        long used = 0;
        Matcher m = Pattern.compile("(?m)^\\s*(def new generation|tenured generation).*used (\\d+)K").matcher(info);
        while (m.find()) {
            used += Long.parseLong(m.group(2));
        }
        return used;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/jcmd", Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
