package org.jepmd.http;

import org.jepmd.testing.Await;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP endpoint's connection cap and per-request deadline, over loopback with the default limits. */
@Timeout(60)
class HttpConnectionLimitsTest {
    private static final byte[] HEALTH = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private JepmdWithHttp served;
    private RunningJepmd jepmd;
    private ObservabilityServer http;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        served = JepmdWithHttp.start(new EpmdMetrics(), b -> b);
        jepmd = served.jepmd;
        http = served.http;
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (served != null) {
            served.close();
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(http.localAddress(), 2000);
        return socket;
    }

    @Test
    void beyond64ConnectionsANewOneIsClosedAtOnceAndTheOthersAreServed() throws Exception {
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            held.add(connect());
        }
        Socket extra = connect();
        assertTrue(closedWithin(extra, 2000), "a 65th HTTP connection was kept open");
        assertEquals("ok\n", health(held.get(63)), "a connection within the cap was not served");

        held.get(0).close();
        String answer = Await.poll(Duration.ofSeconds(5), () -> {
            Socket next = connect(); // its slot comes back once the server has processed the close
            return closedWithin(next, 300) ? null : health(next);
        }, Objects::nonNull);
        assertEquals("ok\n", answer, "no slot came back after a connection closed");
    }

    @Test
    void idleAndTricklingConnectionsAreClosedAtTheDeadlineWhileAnActiveOneIsKept() throws Exception {
        Socket idle = connect();
        Socket trickle = connect();
        Socket active = connect();
        long start = System.nanoTime();
        CompletableFuture<Long> idleClosed = CompletableFuture.supplyAsync(() -> millisUntilClosed(idle, start));
        CompletableFuture<Long> trickleClosed = CompletableFuture.supplyAsync(() -> {
            byte[] request = HEALTH;
            try {
                for (int i = 0; i < 40; i++) { // one byte every 400 ms: 16 s for a 40-byte request
                    trickle.getOutputStream().write(request[i % request.length]);
                    Thread.sleep(400);
                }
                return -1L;
            } catch (IOException closed) {
                return (System.nanoTime() - start) / 1_000_000;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        int served = 0;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(14)) {
            assertEquals("ok\n", health(active), "reply " + (served + 1) + " on a keep-alive connection");
            served++;
            Thread.sleep(2000);
        }
        long idleMillis = idleClosed.get(10, TimeUnit.SECONDS);
        long trickleMillis = trickleClosed.get(10, TimeUnit.SECONDS);
        System.out.printf("HTTP deadline: idle connection closed after %d ms, trickling one after %d ms;"
                + " %d requests served on a keep-alive connection%n", idleMillis, trickleMillis, served);
        assertTrue(idleMillis >= 9_000 && idleMillis < 13_000, "idle connection closed after " + idleMillis + " ms");
        assertTrue(trickleMillis >= 9_000 && trickleMillis < 14_000,
                "trickling connection closed after " + trickleMillis + " ms (-1: never)");
        assertTrue(served >= 6, "only " + served + " requests served");
        assertEquals("ok\n", health(active), "a keep-alive connection that keeps asking was closed");
    }

    @Test
    void oversizedRequestsAreRefused() throws Exception {
        Socket longLine = connect();
        longLine.getOutputStream().write(("GET /" + "a".repeat(3000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertTrue(untilClosed(longLine).startsWith("HTTP/1.1 400 "), "a 3000-byte request line was served");

        Socket withBody = connect();
        withBody.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n"
                + "Connection: close\r\n\r\n" + "b".repeat(2000)).getBytes(StandardCharsets.US_ASCII));
        assertTrue(untilClosed(withBody).startsWith("HTTP/1.1 413 "), "a request with a 2000-byte body was served");
    }

    /** Everything the server sends until it closes {@code socket}. */
    private static String untilClosed(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    /** Sends GET /health on {@code socket} and returns the reply's body. */
    private static String health(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(HEALTH);
        out.flush();
        socket.setSoTimeout(5000);
        InputStream in = socket.getInputStream();
        StringBuilder reply = new StringBuilder();
        while (!reply.toString().contains("\r\n\r\nok\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + reply);
            }
            reply.append((char) b);
        }
        return reply.substring(reply.indexOf("\r\n\r\n") + 4);
    }

    /** True if the server closes {@code socket} (EOF or reset) within {@code millis}, sending nothing. */
    private static boolean closedWithin(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private static long millisUntilClosed(Socket socket, long start) {
        try {
            socket.setSoTimeout(20_000);
            int b = socket.getInputStream().read();
            return b < 0 ? (System.nanoTime() - start) / 1_000_000 : -2;
        } catch (SocketTimeoutException stillOpen) {
            return -1;
        } catch (IOException reset) {
            return (System.nanoTime() - start) / 1_000_000;
        }
    }
}
