package org.jepmd.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.stream.ChunkedStream;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP connection's requests, one at a time. The channel does not read by itself (auto-read is
 * off): the first request is read at accept and each next one only once the reply to the previous
 * one has been written out, so a client that pipelines requests without reading the replies stalls
 * itself instead of filling the daemon's memory with replies. A request and its reply must be done
 * within the deadline, counted from accept and then from the end of each reply; otherwise the
 * connection is closed. Large bodies go out in chunks, only while the channel is writable.
 */
final class HttpExchangeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Bodies up to this size go out in one piece; larger ones in chunks of this size. */
    static final int CHUNK_BYTES = 8192;

    private final ObservabilityRoutes routes;
    private final long deadlineNanos;
    private final Runnable onDeadline;
    private ScheduledFuture<?> deadline;

    /**
     * @param onDeadline told when the connection is closed at its deadline (metrics)
     */
    HttpExchangeHandler(ObservabilityRoutes routes, Duration deadline, Runnable onDeadline) {
        this.routes = routes;
        this.deadlineNanos = deadline.toNanos();
        this.onDeadline = onDeadline;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startDeadline(ctx);
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
        FullHttpResponse response = routes.answer(request, ctx.channel().remoteAddress());
        // after a malformed request the decoder discards the rest; after a refusal there is nothing to add
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess()
                && !HttpResponseStatus.FORBIDDEN.equals(response.status());
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (HttpMethod.HEAD.equals(request.method())) {
            response.content().clear();
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        write(ctx, response).addListener(written -> {
            if (!written.isSuccess() || !keepAlive) {
                ctx.close();
                return;
            }
            startDeadline(ctx);
            ctx.read();
        });
    }

    private static ChannelFuture write(ChannelHandlerContext ctx, FullHttpResponse response) {
        ByteBuf body = response.content();
        if (body.readableBytes() <= CHUNK_BYTES) {
            return ctx.writeAndFlush(response);
        }
        ctx.write(new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers()));
        return ctx.writeAndFlush(new HttpChunkedInput(new ChunkedStream(new ByteBufInputStream(body, true), CHUNK_BYTES)));
    }

    private void startDeadline(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        deadline = ctx.executor().schedule(() -> {
            if (ctx.channel().isOpen()) {
                onDeadline.run();
                ctx.channel().close();
            }
        }, deadlineNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
