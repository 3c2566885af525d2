package org.jepmd.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.jepmd.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShutdownTest {

    /** Four daemons that had taken over were seen to keep running after SIGTERM: a listener's close never completed. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aSocketWhoseCloseNeverCompletesDoesNotKeepTheDaemonRunning() throws Exception {
        int port = FreePorts.next();
        EpmdServer server = EpmdServer.start(ServerConfig.builder().port(port).addresses(List.of("127.0.0.1")).build());
        EmbeddedChannel stuck = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
                // never closes, never completes the promise
            }
        });
        listeners(server).all().add(stuck);

        server.shutdown();

        assertEquals(0, server.terminated().get(10, TimeUnit.SECONDS), "the daemon did not stop");
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port)); // its port is free
        }
    }

    private static Listeners listeners(EpmdServer server) throws ReflectiveOperationException {
        Field field = EpmdServer.class.getDeclaredField("listeners");
        field.setAccessible(true);
        return (Listeners) field.get(server);
    }
}
