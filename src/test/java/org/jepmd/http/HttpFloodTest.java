package org.jepmd.http;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that pipeline HTTP requests without reading the replies: the endpoint stops reading them
 * instead of queueing replies, so the daemon's memory stays bounded and EPMD keeps answering.
 */
@Timeout(60)
class HttpFloodTest {
    private static final long FLOOD_NANOS = 4_000_000_000L;
    /** Direct memory the flood may add: a few read buffers per connection, far below the replies it queued before. */
    private static final long DIRECT_BOUND = 2L << 20;

    @Test
    void pipelinedRequestsWithoutReadingKeepMemoryBoundedAndEpmdServing() throws Exception {
        try (JepmdWithHttp served = JepmdWithHttp.start(new EpmdMetrics(), b -> b);
             EpmdWire.Conn node = EpmdWire.connect(served.jepmd.port())) {
            RunningJepmd jepmd = served.jepmd;
            ObservabilityServer http = served.http;
            node.send(EpmdWire.frame(EpmdWire.alive2("steady", 40010)));
            node.readExactly(6, 5000);
            byte[] lookup = EpmdWire.request(jepmd.port(), EpmdWire.portPlease2("steady"));
            System.gc();
            long before = DirectMemory.used();
            long peak = before;
            List<String> epmdFailures = new ArrayList<>();
            int epmdAnswers = 0;
            long requests;
            // /metrics replies are larger than /health's: they queued up faster
            try (HttpFlood health = new HttpFlood(http.localAddress(), 2, "/health");
                 HttpFlood metrics = new HttpFlood(http.localAddress(), 4, "/metrics")) {
                long start = System.nanoTime();
                long nextQuery = start;
                while (System.nanoTime() - start < FLOOD_NANOS && peak - before < 4 * DIRECT_BOUND) {
                    health.pump();
                    metrics.pump();
                    peak = Math.max(peak, DirectMemory.used());
                    if (System.nanoTime() >= nextQuery) {
                        nextQuery += 100_000_000L;
                        try {
                            assertArrayEquals(lookup, EpmdWire.request(jepmd.port(), EpmdWire.portPlease2("steady")));
                            String names = new String(EpmdWire.request(jepmd.port(), EpmdWire.names()), StandardCharsets.UTF_8);
                            assertTrue(names.contains("name steady at port 40010"), names);
                            epmdAnswers++;
                        } catch (RuntimeException | AssertionError e) {
                            epmdFailures.add(e.toString());
                        }
                    }
                }
                requests = health.requests() + metrics.requests();
            }
            System.out.printf("HTTP flood: %d requests sent, direct memory %d KiB before, peak +%d KiB;"
                    + " %d EPMD round trips, %d failed%n", requests, before >> 10, (peak - before) >> 10,
                    epmdAnswers, epmdFailures.size());
            assertTrue(peak - before < DIRECT_BOUND, "direct memory grew by " + ((peak - before) >> 10)
                    + " KiB during the flood (" + requests + " requests sent)");
            assertEquals(List.of(), epmdFailures, "EPMD requests failed during the flood");
            assertTrue(epmdAnswers >= 10, "only " + epmdAnswers + " EPMD round trips in the flood");

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + http.localAddress().getPort() + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "the endpoint serves again once the flood is gone");
        }
    }
}
