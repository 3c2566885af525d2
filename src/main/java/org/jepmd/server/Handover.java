package org.jepmd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.NodeRegistry;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.UnusedNode;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A daemon's side of {@code jepmd -restart} (org.jepmd.restart): the old daemon pauses and gives its
 * sockets away; the new one adopts them, its registrations as the old daemon had them, and serves
 * when told to. Sockets in between are "parked": off every event loop, so nothing is read from them.
 */
public final class Handover {
    private final EventLoopGroup group;
    private final NodeRegistry registry;
    private final ServerContext context;
    private final Connections connections;
    private final Listeners listeners;
    /** Sockets taken off the event loops for a hand-over ({@link #pause}), or adopted and not yet served. */
    private final Set<Channel> parked = new LinkedHashSet<>();
    /** As {@link #parked}, the registration connections that watchers carry (guarded by {@link #parked}). */
    private final Set<RegistrationWatcher> parkedWatchers = new LinkedHashSet<>();

    Handover(EventLoopGroup group, ServerContext context, Connections connections, Listeners listeners) {
        this.group = group;
        this.registry = context.registry();
        this.context = context;
        this.connections = connections;
        this.listeners = listeners;
    }

    // ---- the old daemon's side ----

    /**
     * What a paused daemon hands over.
     *
     * @param listenerFds  the listening sockets
     * @param live         live registrations, oldest first
     * @param liveFds      their connections' descriptors, in the same order
     * @param refusedFds   connections kept open after a refused ALIVE2 (epmd keeps them until the
     *                     node closes them), which go over too
     * @param unused       the unused names, oldest first
     */
    public record Paused(List<Integer> listenerFds, List<RegisteredNode> live, List<Integer> liveFds,
                         List<Integer> refusedFds, List<UnusedNode> unused) {
    }

    /**
     * Stops serving for a hand-over without closing a socket that goes over: the listening sockets
     * leave the event loops (connection attempts wait in the kernel's backlog), requests in progress
     * get up to {@code drain} to finish and are then closed, and the registration connections (and
     * those kept after a refused ALIVE2) leave the event loops, so that a byte or a close arriving on
     * them stays for the next daemon to read.
     * Blocks: never call it on an event loop.
     */
    public Paused pause(Duration drain) {
        synchronized (parked) {
            park(listeners.all());
            long deadline = System.nanoTime() + drain.toNanos();
            FastLookup fastLookup = connections.fastLookup();
            while ((!inFlight().isEmpty() || fastLookup.waiting() > 0) && System.nanoTime() < deadline) {
                sleepMillis(2);
            }
            fastLookup.dropWaiting();
            for (Channel late : inFlight()) {
                late.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
            park(owners());
            parkWatchers();
            List<Channel> refused = refusedKept();
            park(refused);
            // a registration that ended before its connection left the loop is not handed over
            List<RegisteredNode> live = new ArrayList<>();
            List<Integer> liveFds = new ArrayList<>();
            List<RegisteredNode> newestFirst = new ArrayList<>(registry.newestFirst());
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                RegisteredNode node = newestFirst.get(i);
                FileDescriptor socket = node.owner() instanceof ChannelConnection owner ? parkedSocket(owner) : null;
                if (socket != null) {
                    live.add(node);
                    liveFds.add(socket.intValue());
                }
            }
            List<Integer> listenerFds = new ArrayList<>();
            for (Channel listener : listeners.all()) {
                listenerFds.add(((UnixChannel) listener).fd().intValue());
            }
            List<Integer> refusedFds = new ArrayList<>();
            for (Channel channel : refused) {
                if (channel.isOpen() && parked.contains(channel)) {
                    refusedFds.add(((UnixChannel) channel).fd().intValue());
                }
            }
            refusedFds.addAll(refusedWatched());
            return new Paused(listenerFds, live, liveFds, refusedFds, registry.unused());
        }
    }

    /**
     * The socket a parked registration connection hands over: its channel's, or its watcher's; null if
     * it closed or never left its loop.
     */
    private FileDescriptor parkedSocket(ChannelConnection owner) {
        RegistrationWatcher watcher = owner.watcher();
        if (watcher != null) {
            return parkedWatchers.contains(watcher) && watcher.isParkedOpen() ? watcher.fd() : null;
        }
        Channel channel = owner.channel();
        return channel instanceof UnixChannel unix && channel.isOpen() && parked.contains(channel) ? unix.fd() : null;
    }

    /** Every watched registration connection off its loop, without closing it. */
    private void parkWatchers() {
        for (RegistrationWatcher watcher : connections.watchers().all()) {
            RegistrationWatchers.onLoop(watcher, watcher::park);
            parkedWatchers.add(watcher);
        }
    }

    /** Serves again after a hand-over that did not happen: every parked socket back on the event loops. */
    public void resume() {
        synchronized (parked) {
            if (group.isShuttingDown()) {
                return; // the daemon stopped meanwhile: nothing to serve on
            }
            List<ChannelFuture> registered = new ArrayList<>();
            for (Channel channel : parked) {
                if (channel.isOpen()) {
                    registered.add(group.register(channel));
                }
            }
            registered.forEach(ChannelFuture::awaitUninterruptibly);
            parked.clear();
            for (RegistrationWatcher watcher : parkedWatchers) {
                RegistrationWatchers.onLoop(watcher, watcher::unpark);
            }
            parkedWatchers.clear();
        }
    }

    /**
     * The next daemon serves: closes this process's descriptors of the parked sockets and nothing
     * else; the next daemon holds its own. The caller then stops this daemon.
     */
    void closeParked() {
        synchronized (parked) {
            for (Channel channel : parked) {
                closeDescriptorOnly(channel);
            }
            parked.clear();
            parkedWatchers.forEach(connections.watchers()::handedOver);
            parkedWatchers.clear();
        }
    }

    /**
     * Closes this process's descriptor of a parked socket and nothing else: no close event, so no
     * node is unregistered here, and the socket lives on in the next daemon.
     */
    public static void closeDescriptorOnly(Channel channel) {
        try {
            ((UnixChannel) channel).fd().close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private List<Channel> owners() {
        List<Channel> owners = new ArrayList<>();
        for (RegisteredNode node : registry.newestFirst()) {
            if (node.owner() instanceof ChannelConnection owner && owner.channel() != null) {
                owners.add(owner.channel());
            }
        }
        return owners;
    }

    /** Open connections that own no registration and were not kept after an ALIVE2: requests still being answered. */
    private List<Channel> inFlight() {
        Set<Channel> owners = Collections.newSetFromMap(new IdentityHashMap<>());
        owners.addAll(owners());
        List<Channel> inFlight = new ArrayList<>();
        for (Channel channel : connections.open()) {
            if (!owners.contains(channel) && !isKept(channel)) {
                inFlight.add(channel);
            }
        }
        return inFlight;
    }

    /** Open connections kept after a refused ALIVE2: they own no registration and wait for the node's close. */
    private List<Channel> refusedKept() {
        Set<Channel> owners = Collections.newSetFromMap(new IdentityHashMap<>());
        owners.addAll(owners());
        List<Channel> refused = new ArrayList<>();
        for (Channel channel : connections.open()) {
            if (!owners.contains(channel) && isKept(channel)) {
                refused.add(channel);
            }
        }
        return refused;
    }

    /** The sockets of parked watchers that own no registration: kept after a refused ALIVE2. */
    private List<Integer> refusedWatched() {
        Set<RegistrationWatcher> owners = Collections.newSetFromMap(new IdentityHashMap<>());
        for (RegisteredNode node : registry.newestFirst()) {
            if (node.owner() instanceof ChannelConnection owner && owner.watcher() != null) {
                owners.add(owner.watcher());
            }
        }
        List<Integer> fds = new ArrayList<>();
        for (RegistrationWatcher watcher : parkedWatchers) {
            if (!owners.contains(watcher) && watcher.isParkedOpen()) {
                fds.add(watcher.fd().intValue());
            }
        }
        return fds;
    }

    private static boolean isKept(Channel channel) {
        return channel.pipeline().get(KeptRegistrationHandler.class) != null;
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

    // ---- the new daemon's side ----

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
     * Adopts the old daemon's listening sockets, registrations and connections kept after a refused
     * ALIVE2 ({@code refusedFds}), parked until {@link #serve()}.
     */
    void adopt(List<Integer> listenerFds, List<HandedNode> nodes, List<Integer> refusedFds, List<UnusedNode> unused)
            throws StartupFailure {
        registry.restoreUnused(unused);
        List<Channel> adopted = listeners.adopt(listenerFds, false);
        synchronized (parked) {
            parked.addAll(adopted);
        }
        List<ChannelFuture> registered = new ArrayList<>();
        for (HandedNode node : nodes) {
            if (RegistrationWatchers.enabled()) {
                adoptWatched(node);
            } else {
                registered.add(adoptRegistration(node));
            }
        }
        for (int fd : refusedFds) {
            if (RegistrationWatchers.enabled()) {
                adoptWatched(fd, null);
            } else {
                registered.add(adoptRefused(fd));
            }
        }
        for (ChannelFuture future : registered) {
            if (!future.awaitUninterruptibly().isSuccess()) {
                throw new IllegalStateException("cannot serve a handed-over connection: "
                        + future.cause().getMessage());
            }
        }
    }

    private ChannelFuture adoptRegistration(HandedNode handed) {
        Channel channel = context.transport().adoptConnection(handed.fd());
        channel.config().setAutoRead(false);
        connections.configure(channel);
        int fd = context.transport().descriptor(channel);
        ChannelConnection connection = new ChannelConnection(channel, channel.remoteAddress(), true, fd);
        RegisteredNode node = registry.restore(handed.info(), handed.creation(), connection, fd,
                connection.peer(), handed.registeredAt());
        return adoptKept(channel, connection, node);
    }

    /** A connection kept after a refused ALIVE2: as a registration's, but owning none. */
    private ChannelFuture adoptRefused(int handedFd) {
        Channel channel = context.transport().adoptConnection(handedFd);
        channel.config().setAutoRead(false);
        connections.configure(channel);
        int fd = context.transport().descriptor(channel);
        return adoptKept(channel, new ChannelConnection(channel, channel.remoteAddress(), true, fd), null);
    }

    private ChannelFuture adoptKept(Channel channel, ChannelConnection connection, RegisteredNode node) {
        EpmdChannelInitializer setup = connections.setup();
        KeptRegistrationHandler handler = new KeptRegistrationHandler(
                new KeptRegistration(context, setup.logic(), connection, node));
        channel.pipeline().addLast(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel adopted) {
                setup.initKept(adopted, handler);
                context.events().connectionOpened(connection.peer(), true); // only local peers register
                connections.admit(adopted); // a refusal closes it, which ends the registration
            }
        });
        synchronized (parked) {
            parked.add(channel);
        }
        return group.register(channel);
    }

    /**
     * A handed-over registration that a watcher carries from the start, parked until {@link #serve()}:
     * no channel is made for it.
     */
    private void adoptWatched(HandedNode handed) {
        adoptWatched(handed.fd(), handed);
    }

    /** As {@link #adoptWatched(HandedNode)}; {@code handed} null for a connection kept after a refused ALIVE2. */
    private void adoptWatched(int fd, HandedNode handed) {
        Socket socket = new Socket(fd);
        SocketAddress peer = socket.remoteAddress();
        ChannelConnection connection = new ChannelConnection(group.next(), peer, fd);
        RegisteredNode node = handed == null ? null
                : registry.restore(handed.info(), handed.creation(), connection, fd, peer, handed.registeredAt());
        KeptRegistration kept = new KeptRegistration(context, connections.setup().logic(), connection, node);
        context.events().connectionOpened(peer, true); // only local peers register
        boolean admitted = connections.admitWatched(peer);
        RegistrationWatcher watcher = connections.watchers().adopt(kept, socket, admitted);
        if (!admitted) {
            connection.close(); // which ends the registration
            return;
        }
        synchronized (parked) {
            parkedWatchers.add(watcher);
        }
    }

    /** Starts reading and accepting on the adopted sockets. */
    void serve() {
        synchronized (parked) {
            for (Channel channel : parked) {
                channel.config().setAutoRead(true);
            }
            parked.clear();
            for (RegistrationWatcher watcher : parkedWatchers) {
                watcher.watched().loop().execute(watcher::unpark);
            }
            parkedWatchers.clear();
        }
    }
}
