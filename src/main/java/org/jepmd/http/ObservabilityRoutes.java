package org.jepmd.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.jepmd.net.Peers;
import org.jepmd.server.EpmdServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Answers {@code GET /metrics}, {@code /health}, {@code /ready} and {@code /nodes} (HEAD too);
 * anything else is 404, other methods 405. {@code /nodes} obeys {@code -allow_query} as NAMES does:
 * 403 for other peers. Bodies are heap buffers. Thread-safe: every HTTP connection shares it.
 */
final class ObservabilityRoutes {
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";

    private final EpmdServer server;
    private final EpmdMetrics metrics;
    private final Readiness readiness;
    private final ExpositionFormatWriter prometheusText = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    ObservabilityRoutes(EpmdServer server, EpmdMetrics metrics, Readiness readiness) {
        this.server = server;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    /** The response to {@code request} from {@code peer}, without the connection headers. */
    FullHttpResponse answer(FullHttpRequest request, SocketAddress peer) throws IOException {
        HttpMethod method = request.method();
        if (!request.decoderResult().isSuccess()) {
            return text(HttpResponseStatus.BAD_REQUEST, "bad request\n");
        }
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return response;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        switch (path) {
            case "/metrics":
                return metrics(request.headers().get(HttpHeaderNames.ACCEPT));
            case "/health":
                return readiness.alive()
                        ? text(HttpResponseStatus.OK, "ok\n")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "stopped\n");
            case "/ready":
                return ready();
            case "/nodes":
                if (!server.config().queryAccess().allows(peer)) {
                    server.events().httpQueryDenied(method.name() + " " + path, peer);
                    return text(HttpResponseStatus.FORBIDDEN, "forbidden\n");
                }
                return response(HttpResponseStatus.OK, JSON,
                        NodesJson.of(server.config().port(), server.registry().newestFirst()) + "\n");
            default:
                return text(HttpResponseStatus.NOT_FOUND, "not found\n");
        }
    }

    private FullHttpResponse metrics(String accept) throws IOException {
        ExpositionFormatWriter writer = accept != null && openMetrics.accepts(accept) ? openMetrics : prometheusText;
        ByteBuf body = Unpooled.buffer(4096);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            writer.write(out, metrics.scrape());
        } catch (IOException | RuntimeException e) {
            body.release();
            throw e;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
        return response;
    }

    private FullHttpResponse ready() {
        if (readiness.ready()) {
            return text(HttpResponseStatus.OK, "ready\n");
        }
        List<InetSocketAddress> missing = readiness.missing();
        String detail = missing.stream().map(Peers::text).collect(Collectors.joining(" "));
        return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not listening on: " + detail + "\n");
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, TEXT, body);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        return response;
    }
}
