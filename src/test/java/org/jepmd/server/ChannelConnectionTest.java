package org.jepmd.server;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelConnectionTest {

    /**
     * A takeover wait on another event loop adds its action just after the holder closed, while the
     * holder's own release still runs: the wait must see the release done, or it refuses the name.
     */
    @Test
    void anActionAddedFromAnotherThreadAfterTheCloseRunsAfterTheEarlierOnes() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        try {
            ChannelConnection holder = new ChannelConnection(loop, new InetSocketAddress("127.0.0.1", 1), 7);
            AtomicBoolean released = new AtomicBoolean();
            CountDownLatch releasing = new CountDownLatch(1);
            holder.whenClosed(() -> {
                releasing.countDown();
                sleep(300);
                released.set(true);
            });
            loop.execute(holder::closed);
            assertTrue(releasing.await(5, TimeUnit.SECONDS));

            CompletableFuture<Boolean> seenByTheWait = new CompletableFuture<>();
            holder.whenClosed(() -> seenByTheWait.complete(released.get()));
            assertTrue(seenByTheWait.get(5, TimeUnit.SECONDS), "the late action ran before the holder's release");
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
