package org.jepmd.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.jepmd.server.EpmdServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Answers {@code GET /metrics}, {@code /health}, {@code /ready} and {@code /nodes} (HEAD too);
 * anything else is 404, other methods 405.
 */
@Sharable
final class ObservabilityHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";

    private final EpmdServer server;
    private final EpmdMetrics metrics;
    private final Readiness readiness;
    private final ExpositionFormatWriter prometheusText = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    ObservabilityHandler(EpmdServer server, EpmdMetrics metrics, Readiness readiness) {
        this.server = server;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
        FullHttpResponse response;
        HttpMethod method = request.method();
        if (!request.decoderResult().isSuccess()) {
            response = text(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n");
        } else if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        } else {
            response = route(ctx, request);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (HttpMethod.HEAD.equals(method)) {
            response.content().clear();
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse route(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
        String path = new QueryStringDecoder(request.uri()).path();
        switch (path) {
            case "/metrics":
                return metrics(ctx, request.headers().get(HttpHeaderNames.ACCEPT));
            case "/health":
                return readiness.alive()
                        ? text(ctx, HttpResponseStatus.OK, "ok\n")
                        : text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "stopped\n");
            case "/ready":
                return ready(ctx);
            case "/nodes":
                return response(ctx, HttpResponseStatus.OK, JSON,
                        NodesJson.of(server.config().port(), server.registry().newestFirst()) + "\n");
            default:
                return text(ctx, HttpResponseStatus.NOT_FOUND, "not found\n");
        }
    }

    private FullHttpResponse metrics(ChannelHandlerContext ctx, String accept) throws IOException {
        ExpositionFormatWriter writer = accept != null && openMetrics.accepts(accept) ? openMetrics : prometheusText;
        ByteBuf body = ctx.alloc().buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            writer.write(out, metrics.scrape());
        } catch (IOException | RuntimeException e) {
            body.release();
            throw e;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
        return response;
    }

    private FullHttpResponse ready(ChannelHandlerContext ctx) {
        if (readiness.ready()) {
            return text(ctx, HttpResponseStatus.OK, "ready\n");
        }
        List<InetSocketAddress> missing = readiness.missing();
        String detail = missing.stream().map(Peers::text).collect(Collectors.joining(" "));
        return text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "not listening on: " + detail + "\n");
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        return response(ctx, status, TEXT, body);
    }

    private static FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status,
                                             String contentType, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
