package org.jepmd.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The daemon's HTTP {@code /ready}, polled while a daemon process starts. */
public final class ReadyEndpoint {
    private ReadyEndpoint() {
    }

    /** Polls {@code /ready} on 127.0.0.1:{@code httpPort} until it answers 200; fails with {@code log} after {@code timeout}. */
    public static void await(int httpPort, Duration timeout, Supplier<String> log) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        int status = Await.poll(timeout, () -> {
            try {
                return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException notYet) {
                return 0;
            }
        }, s -> s == 200);
        assertEquals(200, status, log);
    }
}
