package org.jepmd.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An attacker's HTTP clients: connections that pipeline {@code GET <path>} as fast as the server
 * takes them and never read a reply. Non-blocking, so that {@link #pump()} never waits on a server
 * that stopped reading.
 */
final class HttpFlood implements AutoCloseable {
    private static final int REQUESTS_PER_BLOCK = 256;

    private final List<SocketChannel> connections = new ArrayList<>();
    private final int requestBytes;
    private final ByteBuffer block;
    private long sent;

    /** Opens {@code count} connections to {@code address} that will ask for {@code path}. */
    HttpFlood(InetSocketAddress address, int count, String path) throws IOException {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        requestBytes = request.length;
        byte[] bytes = new byte[request.length * REQUESTS_PER_BLOCK];
        for (int i = 0; i < REQUESTS_PER_BLOCK; i++) {
            System.arraycopy(request, 0, bytes, i * request.length, request.length);
        }
        block = ByteBuffer.wrap(bytes);
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open(address);
            channel.configureBlocking(false);
            connections.add(channel);
        }
    }

    /** Writes what each open connection takes now, without blocking; returns the bytes written. */
    long pump() {
        long written = 0;
        for (SocketChannel channel : connections) {
            if (!channel.isOpen()) {
                continue;
            }
            try {
                int n;
                do {
                    ByteBuffer view = block.duplicate();
                    n = channel.write(view);
                    written += n;
                } while (n > 0 && written < 1 << 20);
            } catch (IOException closedByServer) {
                close(channel);
            }
        }
        sent += written;
        return written;
    }

    /** Request bytes sent so far. */
    long sent() {
        return sent;
    }

    /** Requests sent so far. */
    long requests() {
        return sent / requestBytes;
    }

    private static void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        connections.forEach(HttpFlood::close);
    }
}
