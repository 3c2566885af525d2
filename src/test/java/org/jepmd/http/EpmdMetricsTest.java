package org.jepmd.http;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.jepmd.protocol.EpmdTag;
import org.jepmd.server.EpmdEvent;
import org.jepmd.server.EpmdEventSamples;
import org.jepmd.server.EpmdEvents;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hardening events (connection caps, -allow_query, accept failures) are counted. */
class EpmdMetricsTest {
    private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.7", 40000);

    private static String text(EpmdMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void refusedConnectionsDeniedQueriesAndAcceptFailuresStartAtZeroAndCount() throws IOException {
        EpmdMetrics metrics = new EpmdMetrics();
        String before = text(metrics);
        assertTrue(before.contains("jepmd_connections_refused_total{limit=\"per_peer\"} 0.0"), before);
        assertTrue(before.contains("jepmd_queries_denied_total{request=\"names_req\"} 0.0"), before);
        assertTrue(before.contains("jepmd_accept_failures_total 0.0"), before);

        EpmdEvents events = EpmdEvents.to(metrics);
        events.connectionRefused(REMOTE, "per_peer");
        events.connectionRefused(REMOTE, "per_peer");
        events.queryDenied(EpmdTag.PORT_PLEASE2_REQ, REMOTE);
        events.acceptFailed();

        String after = text(metrics);
        assertTrue(after.contains("jepmd_connections_refused_total{limit=\"per_peer\"} 2.0"), after);
        assertTrue(after.contains("jepmd_connections_refused_total{limit=\"total\"} 0.0"), after);
        assertTrue(after.contains("jepmd_queries_denied_total{request=\"port_please2_req\"} 1.0"), after);
        assertTrue(after.contains("jepmd_accept_failures_total 1.0"), after);
    }

    @Test
    void everyKindOfEventMovesAMetric() throws IOException {
        EpmdMetrics metrics = new EpmdMetrics();
        for (EpmdEvent event : EpmdEventSamples.ONE_OF_EACH) {
            String before = text(metrics);
            metrics.on(event);
            assertNotEquals(before, text(metrics), "no metric counts " + event);
        }
    }
}
