package org.jepmd.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.jepmd.server.guard.AcceptErrorHandler;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * The daemon's listening sockets: bound as epmd binds them (its address rules, "already running",
 * the bind errors it tells apart), one SO_REUSEPORT sibling per further event loop, or adopted
 * from systemd or a daemon handing over.
 */
final class Listeners {
    /** IPV6_V6ONLY: level IPPROTO_IPV6 (41), option 26 (Linux). */
    private static final IntegerUnixChannelOption IPV6_V6ONLY = new IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);
    /** SO_REUSEPORT: level SOL_SOCKET (1), option 15 (Linux); by number, as io_uring's own option only takes Netty's channel class. */
    private static final IntegerUnixChannelOption SO_REUSEPORT = new IntegerUnixChannelOption("SO_REUSEPORT", 1, 15);
    /** How long a listening socket stops accepting after accept() failed, e.g. out of descriptors. */
    private static final Duration ACCEPT_PAUSE = Duration.ofMillis(100);

    private final Transport transport;
    private final EventLoopGroup group;
    private final EpmdEvents events;
    private final Connections connections;
    /** Every listening socket: per address the first, then its SO_REUSEPORT siblings on the other loops. */
    private final ChannelGroup all = new DefaultChannelGroup("listeners", GlobalEventExecutor.INSTANCE);
    /** The first listening socket of each address (or each inherited socket), in binding order. */
    private final List<Channel> primaries = new CopyOnWriteArrayList<>();

    Listeners(Transport transport, EventLoopGroup group, EpmdEvents events, Connections connections) {
        this.transport = transport;
        this.group = group;
        this.events = events;
        this.connections = connections;
    }

    private ServerBootstrap bootstrap() {
        return connections.acceptInto(new ServerBootstrap().option(ChannelOption.SO_REUSEADDR, true));
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

    /**
     * Binds every address of {@code plan} on {@code port}, as epmd does: an address in use means
     * another daemon runs (exit 0), a family the kernel lacks is skipped, an explicit address that
     * fails stops the start.
     */
    void bind(List<ListenPlan.Entry> plan, int port) throws StartupFailure {
        ServerBootstrap base = bootstrap();
        LOG.debug("try to initiate listening port {}", port);
        for (ListenPlan.Entry entry : forTransport(plan)) {
            if (coveredByDualStack(entry)) {
                continue;
            }
            boolean v6 = entry.address() instanceof Inet6Address;
            ServerBootstrap bootstrap = base.clone()
                    .handler(acceptErrors(new AcceptErrorHandler.Bursts()))
                    .channelFactory(transport.serverChannels(v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET,
                            connections.fastLookup()));
            if (v6 && transport.isNative()) {
                bootstrap.option(IPV6_V6ONLY, 1);
            }
            List<EventLoop> loops = reusePortLoops();
            ChannelFuture bound = (loops.isEmpty() ? bootstrap.clone().group(group) : bootstrap.clone().group(loops.get(0), loops.get(0)))
                    .bind(new InetSocketAddress(entry.address(), port)).awaitUninterruptibly();
            if (bound.isSuccess()) {
                all.add(bound.channel());
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
        if (all.isEmpty()) {
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
            all.add(sibling.channel());
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
        List<ListenPlan.Entry> ordered = new ArrayList<>();
        plan.stream().filter(Listeners::isV6Wildcard).forEach(ordered::add);
        plan.stream().filter(e -> !isV6Wildcard(e)).forEach(ordered::add);
        return ordered;
    }

    private static boolean isV6Wildcard(ListenPlan.Entry entry) {
        return entry.address() instanceof Inet6Address && entry.address().isAnyLocalAddress();
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
     * (docs/protocol.md, systemd socket activation). With {@code autoRead} false they accept nothing
     * until told to (a hand-over's new daemon).
     *
     * @return the adopted listening sockets
     */
    List<Channel> adopt(List<Integer> fds, boolean autoRead) throws StartupFailure {
        ServerBootstrap base = bootstrap().option(ChannelOption.AUTO_READ, autoRead);
        List<Channel> adopted = new ArrayList<>();
        for (int fd : fds) {
            ChannelFuture registered;
            String failure = null;
            try {
                registered = base.clone().group(group).handler(acceptErrors(new AcceptErrorHandler.Bursts()))
                        .option(ChannelOption.SO_REUSEADDR, null)
                        .channelFactory(() -> transport.adopt(fd, connections.fastLookup())).register().awaitUninterruptibly();
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
            all.add(listener);
            adopted.add(listener);
            // handed-over SO_REUSEPORT siblings share an address: the first of each is its primary
            if (primaries.stream().noneMatch(p -> Objects.equals(p.localAddress(), listener.localAddress()))) {
                primaries.add(listener);
            }
        }
        LOG.debug("entering the main select() loop");
        return adopted;
    }

    /** Every listening socket. */
    ChannelGroup all() {
        return all;
    }

    /** Every address listened on, with its real port, in binding order. */
    List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (Channel channel : primaries) {
            addresses.add((InetSocketAddress) channel.localAddress());
        }
        return addresses;
    }
}
