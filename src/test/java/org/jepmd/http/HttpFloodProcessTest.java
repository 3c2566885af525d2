package org.jepmd.http;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.LoggedProcess;
import org.jepmd.testing.ReadyEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP flood against a daemon with the launcher's memory settings (32 MiB of direct memory,
 * unpooled buffers): EPMD keeps answering throughout, and SIGTERM still stops it at once.
 */
@Timeout(90)
class HttpFloodProcessTest {
    private static final long FLOOD_NANOS = TimeUnit.SECONDS.toNanos(8);
    /** SIGTERM to exit during the flood. */
    private static final long EXIT_BOUND_MILLIS = 1_000;

    @Test
    void epmdServesThroughAnHttpFloodAndSigtermStopsItAtOnce() throws Exception {
        int port = FreePorts.next();
        int httpPort = FreePorts.next();
        List<String> command = LoggedProcess.javaCommand(org.jepmd.Main.class.getName(),
                "-port", Integer.toString(port), "-http", "127.0.0.1:" + httpPort);
        // as scripts/jepmd runs the daemon
        command.addAll(1, List.of("-XX:MaxDirectMemorySize=32m", "-Dio.netty.allocator.type=unpooled",
                "-XX:+UseSerialGC", "-Xss512k"));
        try (LoggedProcess daemon = LoggedProcess.start(command)) {
            ReadyEndpoint.await(httpPort, Duration.ofSeconds(20), daemon::stderr);
            try (EpmdWire.Conn node = EpmdWire.connect(port)) {
                node.send(EpmdWire.frame(EpmdWire.alive2("steady", 40020)));
                node.readExactly(6, 5000);
                List<String> failures = new ArrayList<>();
                int answers = 0;
                try (HttpFlood flood = new HttpFlood(new InetSocketAddress("127.0.0.1", httpPort), 4, "/health")) {
                    long start = System.nanoTime();
                    long nextQuery = start;
                    while (System.nanoTime() - start < FLOOD_NANOS) {
                        flood.pump();
                        if (System.nanoTime() >= nextQuery) {
                            nextQuery += 200_000_000L;
                            String failure = lookupFailure(port, (System.nanoTime() - start) / 1_000_000);
                            if (failure == null) {
                                answers++;
                            } else {
                                failures.add(failure);
                            }
                        }
                    }
                    long sigterm = System.nanoTime();
                    daemon.process().destroy();
                    boolean exited = daemon.process().waitFor(10, TimeUnit.SECONDS);
                    long exitMillis = (System.nanoTime() - sigterm) / 1_000_000;
                    System.out.printf("HTTP flood against a process: %d requests sent, %d EPMD lookups answered,"
                            + " %d failed; exit %d ms after SIGTERM%n", flood.requests(), answers, failures.size(),
                            exitMillis);
                    assertEquals(List.of(), failures, "EPMD lookups failed during the HTTP flood; " + daemon.stderr());
                    assertTrue(exited, "still running 10 s after SIGTERM");
                    assertEquals(0, daemon.process().exitValue(), daemon.stderr());
                    assertTrue(exitMillis < EXIT_BOUND_MILLIS, "exit took " + exitMillis + " ms after SIGTERM");
                }
            }
        }
    }

    /** One PORT_PLEASE2 round trip with a 2 s budget; null if answered, else what went wrong. */
    private static String lookupFailure(int port, long atMillis) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(EpmdWire.frame(EpmdWire.portPlease2("steady")));
            byte[] reply = socket.getInputStream().readNBytes(4);
            return reply.length == 4 && reply[0] == 'w' && reply[1] == 0 ? null
                    : "at " + atMillis + " ms: reply " + java.util.HexFormat.of().formatHex(reply);
        } catch (IOException e) {
            return "at " + atMillis + " ms: " + e;
        }
    }
}
