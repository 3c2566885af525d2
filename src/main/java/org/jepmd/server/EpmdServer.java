package org.jepmd.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.jepmd.protocol.Epmd;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.NodeRegistry;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.UnusedNode;
import org.jepmd.server.guard.AcceptErrorHandler;
import org.jepmd.server.guard.ConnectionGuard;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * A running jepmd daemon: listening sockets, event loops and the node registry.
 * {@link #start(ServerConfig, EpmdEvents)} returns once every socket listens; {@link #terminated()} completes
 * with the exit status when the daemon stops (KILL_REQ or {@link #close()}).
 */
public final class EpmdServer implements AutoCloseable {
    /** A slow reader of a long NAMES or DUMP reply holds at most this much beyond the kernel's buffer. */
    private static final WriteBufferWaterMark REPLY_WATER_MARK = new WriteBufferWaterMark(8 * 1024, 32 * 1024);
    /** IPV6_V6ONLY: level IPPROTO_IPV6 (41), option 26 (Linux). */
    private static final IntegerUnixChannelOption IPV6_V6ONLY = new IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);
    /** SO_REUSEPORT: level SOL_SOCKET (1), option 15 (Linux); by number, as io_uring's own option only takes Netty's channel class. */
    private static final IntegerUnixChannelOption SO_REUSEPORT = new IntegerUnixChannelOption("SO_REUSEPORT", 1, 15);

    /** How long a listening socket stops accepting after accept() failed, e.g. out of descriptors. */
    private static final Duration ACCEPT_PAUSE = Duration.ofMillis(100);

    private final ServerConfig config;
    private final EpmdEvents events;
    private final Transport transport;
    private final EventLoopGroup group;
    private final NodeRegistry registry;
    /** Every listening socket: per address the first, then its SO_REUSEPORT siblings on the other loops. */
    private final ChannelGroup listeners = new DefaultChannelGroup("listeners", GlobalEventExecutor.INSTANCE);
    /** The first listening socket of each address (or each inherited socket), in binding order. */
    private final List<Channel> primaries = new CopyOnWriteArrayList<>();
    private final ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
    private final CompletableFuture<Integer> terminated = new CompletableFuture<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ConnectionGuard guard;
    private final ServerContext context;
    /** Every connection's pipeline, accepted or handed over ({@link #takeOver}). */
    private final EpmdChannelInitializer connectionSetup;
    /** The socket options of every EPMD connection, accepted or handed over. */
    private final Map<ChannelOption<?>, Object> connectionOptions;
    /** Sockets taken off the event loops for a hand-over ({@link #pause}), or adopted and not yet served. */
    private final java.util.Set<Channel> parked = new java.util.LinkedHashSet<>();

    private EpmdServer(ServerConfig config, EpmdEvents events, Transport transport) {
        this.config = config;
        this.events = events;
        this.transport = transport;
        // one event loop per core (the first also accepts); -Djepmd.eventLoops=N overrides it.
        // On 2 cores, 2 loops served ~25 % more lookups than 1 with 8 clients (docs/benchmarks.md)
        this.group = transport.newGroup(Integer.getInteger("jepmd.eventLoops",
                Math.max(1, Runtime.getRuntime().availableProcessors())));
        this.guard = new ConnectionGuard(config.connectionLimits());
        this.registry = new NodeRegistry(config.maxUnusedNames(), () -> System.currentTimeMillis() / 1000);
        this.context = new ServerContext(config, events, registry, transport, this::shutdown, DirectMemoryBudget.DEFAULT);
        this.connectionSetup = new EpmdChannelInitializer(context, this::admit);
        this.connectionOptions = connectionOptions(context.memory());
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
        List<ListenPlan.Entry> plan = List.of();
        try {
            if (config.inheritedFds().isEmpty()) {
                plan = ListenPlan.of(config.addresses());
            }
        } catch (StartupFailure e) {
            LOG.warn(e.getMessage()); // a level-0 message in epmd, e.g. cannot parse IP address "localhost"
            throw e;
        }
        Transport transport;
        try {
            transport = Transport.choose(!config.inheritedFds().isEmpty());
        } catch (StartupFailure e) {
            LOG.warn(e.getMessage());
            throw e;
        }
        EpmdServer server = new EpmdServer(config, events, transport);
        try {
            if (plan.isEmpty()) {
                server.adopt(config.inheritedFds(), true);
            } else {
                server.listen(plan);
            }
        } catch (StartupFailure | RuntimeException e) {
            server.stopNow();
            throw e;
        }
        server.startIdleClock();
        return server; // "epmd running - daemon = N" comes before, from the command (cli.ServerRunner)
    }

    /** At {@code -d -d -d}: epmd's clock reading when its select() times out idle (see {@link EpmdLog#timeIfIdle}). */
    private void startIdleClock() {
        if (LOG.isTraceEnabled()) {
            Duration idle = Duration.ofSeconds(config.packetTimeout().toSeconds() < 5 ? 1 : 5);
            group.next().scheduleAtFixedRate(() -> EpmdLog.timeIfIdle(idle), 1, 1, TimeUnit.SECONDS);
        }
    }

    @SuppressWarnings("unchecked")
    private ServerBootstrap bootstrap() {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(connectionSetup);
        connectionOptions.forEach((option, value) -> bootstrap.childOption((ChannelOption<Object>) option, value));
        return bootstrap;
    }

    private static Map<ChannelOption<?>, Object> connectionOptions(DirectMemoryBudget memory) {
        Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();
        options.put(ChannelOption.ALLOW_HALF_CLOSURE, true);
        options.put(ChannelOption.ALLOCATOR, memory);
        options.put(ChannelOption.WRITE_BUFFER_WATER_MARK, REPLY_WATER_MARK);
        // TCP_NODELAY: Netty already enables it on every accepted socket; setting it again cost a syscall
        // epmd reads at most INBUF_SIZE - 1 bytes while the length is unknown (docs/protocol.md, Framing)
        options.put(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Epmd.FIRST_READ_SIZE));
        return java.util.Collections.unmodifiableMap(options);
    }

    /** Puts an accept error handler on each listening socket, the ones of one address sharing {@code bursts}. */
    private ChannelInitializer<Channel> acceptErrors(AcceptErrorHandler.Bursts bursts) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel listener) {
                listener.pipeline().addLast("acceptErrors",
                        new AcceptErrorHandler(ACCEPT_PAUSE, events::acceptFailed, bursts));
            }
        };
    }

    /** The connection guard's decision on a new connection; an admitted one joins the connection set. */
    private boolean admit(Channel channel) {
        ConnectionGuard.Refusal refusal = guard.admit(channel);
        if (refusal != null) {
            events.connectionRefused(channel.remoteAddress(), refusal.label());
            channel.close();
            return false;
        }
        connections.add(channel);
        return true;
    }

    private void listen(List<ListenPlan.Entry> plan) throws StartupFailure {
        ServerBootstrap base = bootstrap();
        int port = config.bindPort();
        LOG.debug("try to initiate listening port {}", port);
        for (ListenPlan.Entry entry : forTransport(plan)) {
            if (coveredByDualStack(entry)) {
                continue;
            }
            boolean v6 = entry.address() instanceof Inet6Address;
            ServerBootstrap bootstrap = base.clone()
                    .handler(acceptErrors(new AcceptErrorHandler.Bursts()))
                    .channelFactory(transport.serverChannels(v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET));
            if (v6 && transport.isNative()) {
                bootstrap.option(IPV6_V6ONLY, 1);
            }
            List<EventLoop> loops = reusePortLoops();
            ChannelFuture bound = (loops.isEmpty() ? bootstrap.clone().group(group) : bootstrap.clone().group(loops.get(0), loops.get(0)))
                    .bind(new InetSocketAddress(entry.address(), port)).awaitUninterruptibly();
            if (bound.isSuccess()) {
                listeners.add(bound.channel());
                primaries.add(bound.channel());
                if (!loops.isEmpty()) {
                    bindSiblings(bootstrap, bound.channel(), loops);
                }
                continue;
            }
            String reason = String.valueOf(bound.cause().getMessage());
            String ip = entry.address().getHostAddress();
            BindError error = BindError.of(bound.cause());
            if (error == BindError.FAMILY_UNSUPPORTED) {
                continue; // e.g. a kernel without IPv6: skipped silently, as epmd does
            }
            if (error == BindError.ADDRESS_IN_USE) {
                String message = "there is already a epmd running at port " + port + " on ipaddr " + ip;
                LOG.info(message);
                throw new StartupFailure(0, message);
            }
            String message = "failed to bind on ipaddr " + ip + ": " + EpmdLog.strerror(reason);
            LOG.warn(message);
            if (!entry.implicit()) {
                throw new StartupFailure(1, message);
            }
        }
        if (listeners.isEmpty()) {
            String message = "unable to bind any address";
            LOG.warn(message);
            throw new StartupFailure(1, message);
        }
        LOG.debug("entering the main select() loop");
    }

    /**
     * The event loops that each get a listening socket of their own (SO_REUSEPORT), so that a connection
     * is accepted and served on one thread: every loop, with a native transport and more than one loop;
     * else none (one listening socket per address, its connections spread over the loops).
     * {@code -Djepmd.reusePort=false} turns it off.
     */
    private List<EventLoop> reusePortLoops() {
        List<EventLoop> loops = new ArrayList<>();
        if (transport.isNative() && Boolean.parseBoolean(System.getProperty("jepmd.reusePort", "true"))) {
            group.forEach(executor -> loops.add((EventLoop) executor));
        }
        return loops.size() > 1 ? loops : List.of();
    }

    /**
     * Binds SO_REUSEPORT siblings of {@code first} on the other loops. {@code first} was bound without
     * SO_REUSEPORT, so its bind failed if anything else held the address (epmd's "already running",
     * with no window in which two daemons could share a port); it takes SO_REUSEPORT only now, which
     * lets the siblings, and nothing bound before it, join it. A sibling that fails to bind leaves
     * the loops before it serving.
     */
    private void bindSiblings(ServerBootstrap bootstrap, Channel first, List<EventLoop> loops) {
        if (!first.config().setOption(SO_REUSEPORT, 1)) {
            return;
        }
        SocketAddress address = first.localAddress();
        for (EventLoop loop : loops.subList(1, loops.size())) {
            ChannelFuture sibling = bootstrap.clone().group(loop, loop).option(SO_REUSEPORT, 1)
                    .bind(address).awaitUninterruptibly();
            if (!sibling.isSuccess()) {
                LOG.debug("no SO_REUSEPORT listener for a second event loop on {}: {}", address,
                        sibling.cause().getMessage());
                return;
            }
            listeners.add(sibling.channel());
        }
    }

    /**
     * The JDK cannot make an IPv6 socket V6ONLY, so under NIO a {@code ::} wildcard is dual-stack and
     * would collide with {@code 0.0.0.0}: bind {@code ::} first and let it serve both families.
     */
    private List<ListenPlan.Entry> forTransport(List<ListenPlan.Entry> plan) {
        if (transport.isNative()) {
            return plan;
        }
        boolean v6Wildcard = plan.stream().anyMatch(e -> e.address() instanceof Inet6Address && e.address().isAnyLocalAddress());
        if (!v6Wildcard) {
            return plan;
        }
        List<ListenPlan.Entry> ordered = new ArrayList<>();
        plan.stream().filter(e -> e.address() instanceof Inet6Address && e.address().isAnyLocalAddress()).forEach(ordered::add);
        plan.stream().filter(e -> !(e.address() instanceof Inet6Address && e.address().isAnyLocalAddress()))
                .forEach(ordered::add);
        return ordered;
    }

    /** Under NIO, an IPv4 wildcard is already served by a bound dual-stack {@code ::} socket. */
    private boolean coveredByDualStack(ListenPlan.Entry entry) {
        if (transport.isNative() || entry.address() instanceof Inet6Address || !entry.address().isAnyLocalAddress()) {
            return false;
        }
        for (Channel listener : primaries) {
            InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
            if (bound.getAddress() instanceof Inet6Address && bound.getAddress().isAnyLocalAddress()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Serves already listening descriptors as given: no bind, no listen, no socket options
     * (docs/protocol.md, systemd socket activation).
     */
    private void adopt(List<Integer> fds, boolean autoRead) throws StartupFailure {
        ServerBootstrap base = bootstrap().option(ChannelOption.AUTO_READ, autoRead);
        for (int fd : fds) {
            ChannelFuture registered;
            String failure = null;
            try {
                registered = base.clone().group(group).handler(acceptErrors(new AcceptErrorHandler.Bursts()))
                        .option(ChannelOption.SO_REUSEADDR, null)
                        .channelFactory(() -> transport.adopt(fd)).register().awaitUninterruptibly();
                if (!registered.isSuccess()) {
                    failure = String.valueOf(registered.cause().getMessage());
                }
            } catch (RuntimeException e) {
                registered = null;
                failure = String.valueOf(e.getMessage());
            }
            if (failure != null) {
                String message = "cannot obtain sockets from systemd: " + failure;
                LOG.warn(message);
                throw new StartupFailure(1, message);
            }
            Channel listener = registered.channel();
            listeners.add(listener);
            if (autoRead) {
                primaries.add(listener);
            } else {
                parked.add(listener); // handed over: SO_REUSEPORT siblings among them
                if (primaries.stream().noneMatch(p -> p.localAddress().equals(listener.localAddress()))) {
                    primaries.add(listener);
                }
            }
        }
        LOG.debug("entering the main select() loop");
    }

    // ---- jepmd -restart (org.jepmd.restart): the old daemon's side ----

    /** The event loops, where the hand-over socket's channels run. */
    public EventLoopGroup eventLoops() {
        return group;
    }

    /** True when this daemon's sockets can be handed over by descriptor (the native epoll transport). */
    public boolean canHandOver() {
        return transport.kind() == Transport.Kind.EPOLL;
    }

    /**
     * What a paused daemon hands over.
     *
     * @param listenerFds  the listening sockets
     * @param live         live registrations, oldest first
     * @param liveFds      their connections' descriptors, in the same order
     * @param unused       the unused names, oldest first
     */
    public record Paused(List<Integer> listenerFds, List<RegisteredNode> live, List<Integer> liveFds,
                         List<UnusedNode> unused) {
    }

    /**
     * Stops serving for a hand-over without closing a socket that goes over: the listening sockets
     * leave the event loops (connection attempts wait in the kernel's backlog), requests in progress
     * get up to {@code drain} to finish and are then closed, and the registration connections leave
     * the event loops, so that a byte or a close arriving on them stays for the next daemon to read.
     * Blocks: never call it on an event loop.
     */
    public Paused pause(Duration drain) {
        synchronized (parked) {
            park(listeners);
            long deadline = System.nanoTime() + drain.toNanos();
            while (!inFlight().isEmpty() && System.nanoTime() < deadline) {
                sleepMillis(2);
            }
            for (Channel late : inFlight()) {
                late.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
            park(owners());
            // a registration that ended before its connection left the loop is not handed over
            List<RegisteredNode> live = new ArrayList<>();
            List<Integer> liveFds = new ArrayList<>();
            List<RegisteredNode> newestFirst = new ArrayList<>(registry.newestFirst());
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                RegisteredNode node = newestFirst.get(i);
                if (node.owner() instanceof ChannelConnection owner && owner.channel() instanceof UnixChannel channel
                        && channel.isOpen() && parked.contains(channel)) {
                    live.add(node);
                    liveFds.add(channel.fd().intValue());
                }
            }
            List<Integer> listenerFds = new ArrayList<>();
            for (Channel listener : listeners) {
                listenerFds.add(((UnixChannel) listener).fd().intValue());
            }
            return new Paused(listenerFds, live, liveFds, registry.unused());
        }
    }

    /** Serves again after a hand-over that did not happen: every parked socket back on the event loops. */
    public void resume() {
        synchronized (parked) {
            List<ChannelFuture> registered = new ArrayList<>();
            for (Channel channel : parked) {
                if (channel.isOpen()) {
                    registered.add(group.register(channel));
                }
            }
            registered.forEach(ChannelFuture::awaitUninterruptibly);
            parked.clear();
        }
    }

    /**
     * The next daemon serves: stops this one without closing a handed-over socket, only this
     * process's descriptors of them; the next daemon holds its own.
     */
    public void handedOver() {
        stopping.set(true);
        synchronized (parked) {
            for (Channel channel : parked) {
                closeDescriptorOnly(channel);
            }
            parked.clear();
        }
        stopLoops();
    }

    /**
     * Closes this process's descriptor of a parked socket and nothing else: no close event, so no
     * node is unregistered here, and the socket lives on in the next daemon.
     */
    public static void closeDescriptorOnly(Channel channel) {
        try {
            ((UnixChannel) channel).fd().close();
        } catch (java.io.IOException ignored) {
            // already closed
        }
    }

    private List<Channel> owners() {
        List<Channel> owners = new ArrayList<>();
        for (RegisteredNode node : registry.newestFirst()) {
            if (node.owner() instanceof ChannelConnection owner) {
                owners.add(owner.channel());
            }
        }
        return owners;
    }

    /** Open connections that own no registration: requests still being answered. */
    private List<Channel> inFlight() {
        java.util.Set<Channel> owners = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        owners.addAll(owners());
        List<Channel> inFlight = new ArrayList<>();
        for (Channel channel : connections) {
            if (!owners.contains(channel)) {
                inFlight.add(channel);
            }
        }
        return inFlight;
    }

    private void park(Iterable<Channel> channels) {
        List<ChannelFuture> deregistered = new ArrayList<>();
        for (Channel channel : channels) {
            if (channel.isRegistered()) {
                parked.add(channel);
                deregistered.add(channel.deregister());
            }
        }
        deregistered.forEach(ChannelFuture::awaitUninterruptibly);
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- jepmd -restart: the new daemon's side ----

    /**
     * A registration handed over by the daemon this one replaces.
     *
     * @param fd            its connection's descriptor in this process
     * @param info          the ALIVE2 fields
     * @param creation      its creation counter, kept
     * @param registeredAt  wall-clock milliseconds of the registration
     */
    public record HandedNode(int fd, NodeInfo info, long creation, long registeredAt) {
    }

    /**
     * A daemon on handed-over sockets, its registry as the old daemon had it. Nothing is read or
     * accepted until {@link #serve()}; {@link #close()} it to give up (closing only this process's
     * copies of the descriptors).
     *
     * @throws StartupFailure when the transport cannot adopt descriptors or one is not a socket
     */
    public static EpmdServer takeOver(ServerConfig config, EpmdEvents events, List<Integer> listenerFds,
                                      List<HandedNode> nodes, List<UnusedNode> unused) throws StartupFailure {
        Transport transport = Transport.choose(true); // descriptors are adopted as under -systemd
        if (transport.kind() != Transport.Kind.EPOLL) {
            throw new StartupFailure(1, "a restart needs the native epoll transport, not " + transport.kind().label());
        }
        EpmdServer server = new EpmdServer(config, events, transport);
        try {
            server.registry.restoreUnused(unused);
            server.adopt(listenerFds, false);
            List<ChannelFuture> registered = new ArrayList<>();
            for (HandedNode node : nodes) {
                registered.add(server.adoptRegistration(node));
            }
            for (ChannelFuture future : registered) {
                if (!future.awaitUninterruptibly().isSuccess()) {
                    throw new IllegalStateException("cannot serve a handed-over connection: "
                            + future.cause().getMessage());
                }
            }
        } catch (StartupFailure | RuntimeException e) {
            server.stopNow();
            throw e;
        }
        return server;
    }

    private ChannelFuture adoptRegistration(HandedNode handed) {
        Channel channel = transport.adoptConnection(handed.fd());
        channel.config().setAutoRead(false);
        channel.config().setOptions(connectionOptions);
        int fd = transport.descriptor(channel);
        ChannelConnection connection = new ChannelConnection(channel, channel.remoteAddress(), true, fd);
        RegisteredNode node = registry.restore(handed.info(), handed.creation(), connection, fd,
                connection.peer(), handed.registeredAt());
        KeptRegistrationHandler handler = new KeptRegistrationHandler(context, connectionSetup.logic(), connection, node);
        channel.pipeline().addLast(new io.netty.channel.ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel adopted) {
                connectionSetup.initKept(adopted, handler);
                context.events().connectionOpened(connection.peer(), true); // only local peers register
                admit(adopted); // a refusal closes it, which ends the registration
            }
        });
        parked.add(channel);
        return group.register(channel);
    }

    /** Starts reading and accepting on the handed-over sockets: the daemon serves. */
    public void serve() {
        synchronized (parked) {
            for (Channel channel : parked) {
                channel.config().setAutoRead(true);
            }
            parked.clear();
        }
        startIdleClock();
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
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (Channel channel : primaries) {
            addresses.add((InetSocketAddress) channel.localAddress());
        }
        return addresses;
    }

    /** Open client connections, registration connections included. */
    public int openConnections() {
        return connections.size();
    }

    /** Completes with the exit status (0) once the daemon has stopped and freed its port. */
    public CompletableFuture<Integer> terminated() {
        return terminated;
    }

    /** Stops the daemon: frees the listening ports at once, then closes every connection. */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        listeners.close().addListener(f -> connections.close().addListener(g -> stopLoops()));
    }

    private void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(f -> terminated.complete(0));
    }

    private void stopNow() {
        stopping.set(true);
        listeners.close().awaitUninterruptibly();
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
