package org.jepmd.server;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One SO_REUSEPORT listening socket per event loop (native transports), and epmd's "already running"
 * detection kept exact: a second daemon, started later or at the same moment, never shares the port.
 */
class ReusePortListenersTest {
    private String loops;

    @BeforeEach
    void twoEventLoops() {
        loops = System.getProperty("jepmd.eventLoops");
        System.setProperty("jepmd.eventLoops", "2");
    }

    @AfterEach
    void restore() {
        if (loops == null) {
            System.clearProperty("jepmd.eventLoops");
        } else {
            System.setProperty("jepmd.eventLoops", loops);
        }
    }

    @Test
    void eachEventLoopListensOnEveryAddressAndAllOfThemServe() throws Exception {
        int port = FreePorts.next();
        try (EpmdServer server = EpmdServer.start(config(port))) {
            int perAddress = server.transport() == Transport.Kind.NIO ? 1 : 2;
            assertEquals(perAddress, listening("/proc/net/tcp", port), "IPv4 listening sockets on 127.0.0.1");
            assertEquals(perAddress, listening("/proc/net/tcp6", port), "IPv6 listening sockets on ::1");
            assertEquals(2, server.localAddresses().size(), "one address each: " + server.localAddresses());
            for (int i = 0; i < 200; i++) { // the kernel spreads connections over the group by their ports
                byte[] reply = EpmdWire.request(port, EpmdWire.names());
                assertEquals(port, ((reply[0] & 0xff) << 24) | ((reply[1] & 0xff) << 16) | ((reply[2] & 0xff) << 8) | (reply[3] & 0xff));
            }
        }
    }

    @Test
    void aSecondDaemonFindsTheFirstRunning() throws Exception {
        int port = FreePorts.next();
        try (EpmdServer first = EpmdServer.start(config(port))) {
            StartupFailure failure = assertThrows(StartupFailure.class, () -> EpmdServer.start(config(port)).close());
            assertTrue(failure.alreadyRunning(), failure.getMessage());
            assertEquals("there is already a epmd running at port " + port + " on ipaddr 127.0.0.1", failure.getMessage());
            assertEquals(2, first.localAddresses().size());
            EpmdWire.request(port, EpmdWire.names());
        }
    }

    @Test
    void theRealEpmdFindsJepmdRunning() throws Exception {
        String epmd = Requirements.epmd();
        int port = FreePorts.next();
        try (EpmdServer ignored = EpmdServer.start(ServerConfig.builder().port(port).build())) {
            ProcessBuilder builder = new ProcessBuilder(epmd, "-port", Integer.toString(port)).redirectErrorStream(true);
            builder.environment().remove("ERL_EPMD_ADDRESS");
            Process real = builder.start();
            boolean exited = real.waitFor(10, TimeUnit.SECONDS);
            if (!exited) {
                real.destroyForcibly();
            }
            assertTrue(exited, "epmd bound the port jepmd listens on and ran");
            assertEquals(0, real.exitValue());
        }
    }

    @Test
    void twoDaemonsStartedAtOnceNeverShareThePort() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                int port = FreePorts.next();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<EpmdServer>> starts = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    starts.add(pool.submit(() -> {
                        go.await();
                        try {
                            return EpmdServer.start(config(port));
                        } catch (StartupFailure e) {
                            assertTrue(e.alreadyRunning(), e.getMessage());
                            return null;
                        }
                    }));
                }
                go.countDown();
                List<EpmdServer> running = new ArrayList<>();
                for (Future<EpmdServer> start : starts) {
                    EpmdServer server = start.get(30, TimeUnit.SECONDS);
                    if (server != null) {
                        running.add(server);
                    }
                }
                running.forEach(EpmdServer::close);
                assertEquals(1, running.size(), "round " + round + ": daemons running on one port");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static ServerConfig config(int port) {
        return ServerConfig.builder().port(port).addresses(List.of("127.0.0.1")).build();
    }

    /** Sockets in LISTEN state on the local port, from /proc/net/tcp or tcp6. */
    private static int listening(String table, int port) throws IOException {
        String portHex = String.format(Locale.ROOT, ":%04X", port);
        int n = 0;
        for (String line : Files.readAllLines(Path.of(table))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 3 && fields[1].endsWith(portHex) && fields[3].equals("0A")) {
                n++;
            }
        }
        return n;
    }
}
