package org.jepmd.http;

import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP endpoint against a running daemon, with the JDK's HTTP client. */
@Timeout(30)
class ObservabilityServerTest {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final EpmdMetrics metrics = new EpmdMetrics();
    private JepmdWithHttp served;
    private RunningJepmd jepmd;
    private ObservabilityServer http;

    @BeforeEach
    void start() throws Exception {
        served = JepmdWithHttp.start(metrics, b -> b.relaxedCommandCheck(true));
        jepmd = served.jepmd;
        http = served.http;
    }

    @AfterEach
    void stop() {
        if (served != null) {
            served.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http.localAddress().getPort() + path);
    }

    /** The value of one sample line, e.g. {@code jepmd_lookups_total{result="hit"}}. */
    private double sample(String series) throws Exception {
        String body = get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
        assertTrue(m.find(), series + " not in:\n" + body);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metricsFollowRegistrationsLookupsAndRequests() throws Exception {
        HttpResponse<String> first = get("/metrics");
        assertEquals(200, first.statusCode());
        assertTrue(first.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertTrue(first.body().contains("# TYPE jepmd_registrations_total counter"), first.body());
        assertEquals(0, sample("jepmd_registered_nodes"));

        try (EpmdWire.Conn a = EpmdWire.connect(jepmd.port()); EpmdWire.Conn b = EpmdWire.connect(jepmd.port())) {
            a.send(EpmdWire.frame(EpmdWire.alive2("alpha", 40001)));
            a.readExactly(6, 5000);
            b.send(EpmdWire.frame(EpmdWire.alive2("alpha", 40002)));
            b.readExactly(6, 5000);
            assertEquals(1, sample("jepmd_registered_nodes"));
            assertEquals(1, sample("jepmd_registrations_total"));
            assertEquals(1, sample("jepmd_registration_refusals_total{reason=\"name_occupied\"}"));
            assertEquals(2, sample("jepmd_requests_total{request=\"alive2_req\"}"));

            EpmdWire.request(jepmd.port(), EpmdWire.portPlease2("alpha"));
            EpmdWire.request(jepmd.port(), EpmdWire.portPlease2("nobody"));
            EpmdWire.request(jepmd.port(), EpmdWire.names());
            assertEquals(1, sample("jepmd_lookups_total{result=\"hit\"}"));
            assertEquals(1, sample("jepmd_lookups_total{result=\"miss\"}"));
            assertEquals(1, sample("jepmd_requests_total{request=\"names_req\"}"));
            assertEquals(2, sample("jepmd_connections_open"));
            // framed: ALIVE2 2+13+5 ("alpha") each, PORT_PLEASE2 2+6 and 2+7, NAMES 2+1
            assertEquals(2 * 20 + 8 + 9 + 3, sample("jepmd_received_bytes_total"));
        }
        double registered = Await.poll(Duration.ofSeconds(5), () -> sample("jepmd_registered_nodes"), n -> n == 0);
        assertEquals(0, registered);
        assertEquals(1, sample("jepmd_unregistrations_total{cause=\"connection_closed\"}"));
        assertTrue(sample("jepmd_connections_accepted_total{peer=\"local\"}") >= 5);
        assertTrue(sample("jepmd_sent_bytes_total") > 0);
    }

    @Test
    void metricsAreOpenMetricsWhenAskedFor() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0").GET());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(response.body().endsWith("# EOF\n"), response.body());
    }

    @Test
    void nodesListsTheLiveRegistrationsAsNamesDoes() throws Exception {
        try (EpmdWire.Conn a = EpmdWire.connect(jepmd.port());
             EpmdWire.Conn b = EpmdWire.connect("::1", jepmd.port())) {
            a.send(EpmdWire.frame(EpmdWire.alive2(40001, 72, 0, 6, 5, EpmdWire.utf8("first"), new byte[] {1, (byte) 0xAB})));
            a.readExactly(6, 5000);
            b.send(EpmdWire.frame(EpmdWire.alive2v5("sec\"ond", 40002)));
            b.readExactly(4, 5000);

            HttpResponse<String> nodes = get("/nodes");
            assertEquals(200, nodes.statusCode());
            assertEquals("application/json", nodes.headers().firstValue("content-type").orElse(""));
            String names = new String(EpmdWire.request(jepmd.port(), EpmdWire.names()), StandardCharsets.UTF_8);
            List<String> fromNames = new ArrayList<>();
            Matcher line = Pattern.compile("name (.*) at port (\\d+)\n").matcher(names);
            while (line.find()) {
                fromNames.add(line.group(1) + "@" + line.group(2));
            }
            List<String> fromJson = new ArrayList<>();
            Matcher node = Pattern.compile("\\{\"name\":\"((?:[^\"\\\\]|\\\\.)*)\",\"port\":(\\d+)").matcher(nodes.body());
            while (node.find()) {
                fromJson.add(node.group(1).replace("\\\"", "\"") + "@" + node.group(2));
            }
            assertEquals(List.of("sec\"ond@40002", "first@40001"), fromNames);
            assertEquals(fromNames, fromJson);
            assertTrue(nodes.body().startsWith("{\"port\":" + jepmd.port() + ",\"nodes\":["), nodes.body());
            assertTrue(nodes.body().contains("\"nodeType\":72,\"protocol\":0,\"highestVersion\":6,\"lowestVersion\":5,"
                    + "\"extra\":\"01ab\",\"creation\":"), nodes.body());
            assertTrue(nodes.body().matches("(?s).*\"peer\":\"\\[::1]:\\d+\".*\"peer\":\"127\\.0\\.0\\.1:\\d+\".*"),
                    nodes.body());
            assertTrue(nodes.body().matches("(?s).*\"registeredAt\":\"20\\d\\d-\\d\\d-\\d\\dT[^\"]+Z\".*"), nodes.body());
        }
    }

    @Test
    void aNodesListLargerThanOneChunkArrivesWhole() throws Exception {
        List<EpmdWire.Conn> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 120; i++) {
                EpmdWire.Conn node = EpmdWire.connect(jepmd.port());
                nodes.add(node);
                node.send(EpmdWire.frame(EpmdWire.alive2("node" + i, 41000 + i)));
                node.readExactly(6, 5000);
            }
            HttpResponse<String> response = get("/nodes");
            assertEquals(200, response.statusCode());
            assertTrue(response.body().length() > 2 * HttpExchangeHandler.CHUNK_BYTES, "only " + response.body().length());
            assertEquals(response.body().getBytes(StandardCharsets.UTF_8).length,
                    Long.parseLong(response.headers().firstValue("content-length").orElse("-1")));
            assertTrue(response.body().endsWith("}]}\n"), response.body());
            for (int i = 0; i < 120; i++) {
                assertTrue(response.body().contains("{\"name\":\"node" + i + "\",\"port\":" + (41000 + i) + ","), "node" + i);
            }
            assertEquals(200, get("/health").statusCode(), "the connection serves on after a chunked reply");
        } finally {
            nodes.forEach(EpmdWire.Conn::close);
        }
    }

    @Test
    void healthAndReadinessFollowTheDaemon() throws Exception {
        assertEquals(200, get("/health").statusCode());
        HttpResponse<String> ready = get("/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("ready\n", ready.body());

        jepmd.server().shutdown();
        jepmd.server().terminated().get(5, java.util.concurrent.TimeUnit.SECONDS);
        HttpResponse<String> notReady = get("/ready");
        assertEquals(503, notReady.statusCode());
        assertTrue(notReady.body().startsWith("not listening on: "), notReady.body());
        assertTrue(notReady.body().contains("127.0.0.1:" + jepmd.port()), notReady.body());
        assertEquals(503, get("/health").statusCode());
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("allow").orElse(""));
        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/health")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }
}
