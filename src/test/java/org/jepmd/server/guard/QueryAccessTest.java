package org.jepmd.server.guard;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.jepmd.server.EpmdEvent.QueryDenied;
import org.jepmd.server.EpmdEvents;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.ServerPipelines;
import org.jepmd.testing.EpmdWire;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -allow_query}: NAMES and PORT_PLEASE2 from peers outside the listed networks are closed with
 * no reply, logged and counted; loopback is always allowed; without the option anyone may query.
 * Peers are chosen by the test on the server's own pipeline.
 */
class QueryAccessTest {
    private static final SocketAddress SERVER = new InetSocketAddress("10.0.0.1", 4369);
    private static final SocketAddress OUTSIDER = new InetSocketAddress("192.0.2.9", 50000);
    private static final SocketAddress LISTED = new InetSocketAddress("10.1.2.3", 50000);
    private static final SocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 50000);

    private final List<String> denied = new CopyOnWriteArrayList<>();
    private final EpmdEvents events = EpmdEvents.to(event -> {
        if (event instanceof QueryDenied d) {
            denied.add(d.tag() + " " + d.peer());
        }
    });

    private ServerPipelines server(UnaryOperator<ServerConfig.Builder> adjust) {
        return new ServerPipelines(adjust.apply(ServerConfig.builder()).build(), events);
    }

    @Test
    void outsidersAreClosedUnansweredAndCounted() {
        ServerPipelines server = server(b -> b.queryAccess(QueryAccess.parse("10.0.0.0/8")));
        assertEquals("", exchange(server, OUTSIDER, EpmdWire.names()));
        assertEquals("", exchange(server, OUTSIDER, EpmdWire.portPlease2("any")));
        assertEquals(List.of("NAMES_REQ " + OUTSIDER, "PORT_PLEASE2_REQ " + OUTSIDER), denied);
    }

    @Test
    void listedNetworksAndLoopbackAreAnswered() {
        ServerPipelines server = server(b -> b.queryAccess(QueryAccess.parse("10.0.0.0/8")));
        assertTrue(exchange(server, LISTED, EpmdWire.names()).startsWith("00001111"), "NAMES header with port 4369");
        assertEquals("7701", exchange(server, LISTED, EpmdWire.portPlease2("any")));
        assertEquals("7701", exchange(server, LOOPBACK, EpmdWire.portPlease2("any")));
        assertTrue(denied.isEmpty());
    }

    @Test
    void withoutTheOptionAnyoneMayQuery() {
        ServerPipelines server = server(b -> b);
        assertEquals("7701", exchange(server, OUTSIDER, EpmdWire.portPlease2("any")));
        assertFalse(exchange(server, OUTSIDER, EpmdWire.names()).isEmpty());
        assertTrue(denied.isEmpty());
    }

    /** One request from {@code peer}; the hex of everything answered before the close. */
    private static String exchange(ServerPipelines server, SocketAddress peer, byte[] payload) {
        EmbeddedChannel channel = server.connect(peer, SERVER);
        try {
            byte[] framed = EpmdWire.frame(payload);
            channel.writeInbound(channel.alloc().buffer().writeBytes(framed));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < 5; i++) {
                channel.runPendingTasks();
                for (Object o; (o = channel.readOutbound()) != null; ) {
                    ByteBuf buf = (ByteBuf) o;
                    byte[] bytes = new byte[buf.readableBytes()];
                    buf.readBytes(bytes).release();
                    out.writeBytes(bytes);
                }
            }
            assertFalse(channel.isOpen(), "connection left open");
            return java.util.HexFormat.of().formatHex(out.toByteArray());
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
