package org.jepmd.server;

import io.netty.channel.embedded.EmbeddedChannel;
import org.jepmd.registry.NodeRegistry;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test bridge to the server's per-connection pipeline: in-memory connections built by the very
 * {@link EpmdChannelInitializer} the daemon uses, sharing one registry, for fuzzing without sockets.
 */
public final class ServerPipelines {
    private final ServerContext context;
    private final EpmdChannelInitializer initializer;
    private final AtomicInteger shutdowns = new AtomicInteger();

    public ServerPipelines(ServerConfig config) {
        this(config, EpmdEvents.NONE);
    }

    /** Connections that report to {@code events}. */
    public ServerPipelines(ServerConfig config, EpmdEvents events) {
        this(config, events, DirectMemoryBudget.DEFAULT);
    }

    /** Connections that allocate from {@code memory}, e.g. a budget small enough to run out. */
    public ServerPipelines(ServerConfig config, DirectMemoryBudget memory) {
        this(config, EpmdEvents.NONE, memory);
    }

    private ServerPipelines(ServerConfig config, EpmdEvents events, DirectMemoryBudget memory) {
        NodeRegistry registry = new NodeRegistry(config.maxUnusedNames(), () -> System.currentTimeMillis() / 1000);
        this.context = new ServerContext(config, events, registry, Transport.best(), shutdowns::incrementAndGet, memory);
        this.initializer = new EpmdChannelInitializer(context, channel -> true, null);
    }

    /** The registry all connections share. */
    public NodeRegistry registry() {
        return context.registry();
    }

    /** How many times a request asked the daemon to stop (KILL_REQ). */
    public int shutdowns() {
        return shutdowns.get();
    }

    /** What the registry records as the owner of a registration made on {@code channel} (its handler). */
    public static Object registrationOwner(EmbeddedChannel channel) {
        return channel.pipeline().get(EpmdConnectionHandler.class).connection();
    }

    /** A new, active connection from {@code peer} to {@code local}, with the server's pipeline. */
    public EmbeddedChannel connect(SocketAddress peer, SocketAddress local) {
        EmbeddedChannel channel = new EmbeddedChannel(false, true) {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }

            @Override
            protected SocketAddress localAddress0() {
                return local;
            }
        };
        channel.config().setAllocator(context.memory());
        channel.pipeline().addLast(initializer);
        try {
            channel.register();
            channel.freezeTime(); // time moves only by advanceTimeBy
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return channel;
    }
}
