package org.jepmd.server;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.jepmd.registry.NodeRegistry;
import org.jepmd.registry.UnusedNode;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * A running jepmd daemon: listening sockets, event loops, connections and the node registry.
 * {@link #start(ServerConfig, EpmdEvents)} returns once every socket listens; {@link #terminated()} completes
 * with the exit status when the daemon stops (KILL_REQ or {@link #close()}).
 */
public final class EpmdServer implements AutoCloseable {
    /** How long {@link #shutdown()} waits for the sockets' closes before it stops the event loops anyway. */
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(3);

    private final ServerConfig config;
    private final EpmdEvents events;
    private final Transport transport;
    private final EventLoopGroup group;
    private final NodeRegistry registry;
    private final Connections connections;
    private final Listeners listeners;
    private final Handover handover;
    private final CompletableFuture<Void> shutdownStarted = new CompletableFuture<>();
    private final CompletableFuture<Integer> terminated = new CompletableFuture<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    private EpmdServer(ServerConfig config, EpmdEvents events, Transport transport) {
        this.config = config;
        this.events = events;
        this.transport = transport;
        // one event loop per core (the first also accepts); -Djepmd.eventLoops=N overrides it.
        // On 2 cores, 2 loops served ~25 % more lookups than 1 with 8 clients (docs/benchmarks.md)
        this.group = transport.newGroup(Integer.getInteger("jepmd.eventLoops",
                Math.max(1, Runtime.getRuntime().availableProcessors())));
        this.registry = new NodeRegistry(config.maxUnusedNames(), () -> System.currentTimeMillis() / 1000);
        ServerContext context = new ServerContext(config, events, registry, transport, this::shutdown,
                DirectMemoryBudget.DEFAULT);
        this.connections = new Connections(context);
        this.listeners = new Listeners(transport, group, events, connections);
        this.handover = new Handover(group, context, connections, listeners);
    }

    /** Starts a daemon that reports to no one ({@link EpmdEvents#NONE}); see {@link #start(ServerConfig, EpmdEvents)}. */
    public static EpmdServer start(ServerConfig config) throws StartupFailure {
        return start(config, EpmdEvents.NONE);
    }

    /**
     * Starts a daemon and returns once it listens on every planned address.
     *
     * @param events where the daemon reports what it does (metrics, audit)
     * @throws StartupFailure when it cannot listen; {@link StartupFailure#alreadyRunning()} when another
     *                        daemon holds the port
     */
    public static EpmdServer start(ServerConfig config, EpmdEvents events) throws StartupFailure {
        // with inherited sockets the address list is not used for listening
        // (docs/protocol.md, systemd socket activation)
        boolean inherited = !config.inheritedFds().isEmpty();
        List<ListenPlan.Entry> plan = List.of();
        Transport transport;
        try {
            if (!inherited) {
                plan = ListenPlan.of(config.addresses());
            }
            transport = Transport.choose(inherited);
        } catch (StartupFailure e) {
            LOG.warn(e.getMessage()); // a level-0 message in epmd, e.g. cannot parse IP address "localhost"
            throw e;
        }
        EpmdServer server = new EpmdServer(config, events, transport);
        try {
            if (inherited) {
                server.listeners.adopt(config.inheritedFds(), true);
            } else {
                server.listeners.bind(plan, config.bindPort());
            }
        } catch (StartupFailure | RuntimeException e) {
            server.stopNow();
            throw e;
        }
        server.startIdleClock();
        return server; // "epmd running - daemon = N" comes before, from the command (daemon.ServerRunner)
    }

    /**
     * A daemon on the sockets of the daemon it replaces ({@code jepmd -restart}), its registry as the
     * old daemon had it. Nothing is read or accepted until {@link #serve()}; {@link #close()} it to give
     * up (closing only this process's copies of the descriptors).
     *
     * @throws StartupFailure when the transport cannot adopt descriptors or one is not a socket
     */
    public static EpmdServer takeOver(ServerConfig config, EpmdEvents events, List<Integer> listenerFds,
                                      List<Handover.HandedNode> nodes, List<Integer> refusedFds,
                                      List<UnusedNode> unused) throws StartupFailure {
        Transport transport = Transport.choose(true); // descriptors are adopted as under -systemd
        if (transport.kind() != Transport.Kind.EPOLL) {
            throw new StartupFailure(1, "a restart needs the native epoll transport, not " + transport.kind().label());
        }
        EpmdServer server = new EpmdServer(config, events, transport);
        try {
            server.handover.adopt(listenerFds, nodes, refusedFds, unused);
        } catch (StartupFailure | RuntimeException e) {
            server.stopNow();
            throw e;
        }
        return server;
    }

    /** A taken-over daemon starts reading and accepting on its adopted sockets: it serves. */
    public void serve() {
        handover.serve();
        startIdleClock();
    }

    /** At {@code -d -d -d}: epmd's clock reading when its select() times out idle (see {@link EpmdLog#timeIfIdle}). */
    private void startIdleClock() {
        if (LOG.isTraceEnabled()) {
            Duration idle = Duration.ofSeconds(config.packetTimeout().toSeconds() < 5 ? 1 : 5);
            group.next().scheduleAtFixedRate(() -> EpmdLog.timeIfIdle(idle), 1, 1, TimeUnit.SECONDS);
        }
    }

    /** True when this daemon's sockets can be handed over by descriptor (the native epoll transport). */
    public boolean canHandOver() {
        return transport.kind() == Transport.Kind.EPOLL;
    }

    /** Pausing, resuming and handing over this daemon's sockets ({@code jepmd -restart}). */
    public Handover handover() {
        return handover;
    }

    /**
     * The next daemon serves: stops this one without closing a handed-over socket, only this
     * process's descriptors of them; the next daemon holds its own.
     */
    public void handedOver() {
        stopping.set(true);
        handover.closeParked();
        stopLoops();
    }

    /** The event loops, where the hand-over socket's channels run. */
    public EventLoopGroup eventLoops() {
        return group;
    }

    /** The configuration the daemon runs with. */
    public ServerConfig config() {
        return config;
    }

    /** Where the daemon reports what it does. */
    public EpmdEvents events() {
        return events;
    }

    /** The socket transport the daemon runs on. */
    public Transport.Kind transport() {
        return transport.kind();
    }

    /** The node registry. */
    public NodeRegistry registry() {
        return registry;
    }

    /** Every address the daemon listens on, with its real port. */
    public List<InetSocketAddress> localAddresses() {
        return listeners.localAddresses();
    }

    /** Open client connections, registration connections included. */
    public int openConnections() {
        return connections.count();
    }

    /** Completes with the exit status (0) once the daemon has stopped and freed its port. */
    public CompletableFuture<Integer> terminated() {
        return terminated;
    }

    /**
     * Completes when {@link #shutdown()} begins, before the listening ports are freed; what is
     * chained to it runs then, on the stopping thread. Never completes for a daemon that hands over.
     */
    public CompletableFuture<Void> shutdownStarted() {
        return shutdownStarted;
    }

    /** Stops the daemon: frees the listening ports at once, then closes every connection. */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        shutdownStarted.complete(null); // first: what waits for it (a watchdog) must not depend on what follows
        try {
            // a close that never completes or fails must not keep the daemon running: the loops stop regardless
            ScheduledFuture<?> deadline = GlobalEventExecutor.INSTANCE.schedule(this::stopLoops,
                    STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            terminated.whenComplete((status, failure) -> deadline.cancel(false));
            listeners.all().close().addListener(f -> connections.closeAll().addListener(g -> stopLoops()));
        } catch (RuntimeException | LinkageError e) {
            stopLoops();
            throw e;
        }
    }

    private void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(f -> terminated.complete(0));
    }

    private void stopNow() {
        stopping.set(true);
        listeners.all().close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        terminated.complete(1);
    }

    /** Stops the daemon and waits until it has stopped. */
    @Override
    public void close() {
        shutdown();
        terminated.join();
    }
}
