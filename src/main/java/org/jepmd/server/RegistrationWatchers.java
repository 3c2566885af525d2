package org.jepmd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.unix.Socket;
import org.jepmd.server.guard.ConnectionGuard;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * The registration connections that a {@link RegistrationWatcher} carries instead of a channel (epoll
 * only): they still count as open connections, hold their connection guard slot, and close when the
 * daemon stops. {@code -Djepmd.watchRegistrations=false} keeps every connection a channel.
 */
final class RegistrationWatchers {
    /** The system property that turns watchers off. */
    static final String PROPERTY = "jepmd.watchRegistrations";

    private final Set<RegistrationWatcher> watched = ConcurrentHashMap.newKeySet();
    private final ConnectionGuard guard;
    private final ChannelGroup connections;

    /**
     * @param guard        gave each connection its slot, given back here when a watcher closes
     * @param connections  the open channels, which a watched connection's channel leaves
     */
    RegistrationWatchers(ConnectionGuard guard, ChannelGroup connections) {
        this.guard = guard;
        this.connections = connections;
    }

    /** True unless {@link #PROPERTY} turns watchers off. */
    static boolean enabled() {
        return Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));
    }

    /** True if {@code channel}'s connection can leave it for a watcher after its ALIVE2 reply. */
    static boolean canWatch(Channel channel) {
        return channel instanceof EpollSocketChannel && channel.eventLoop() instanceof IoEventLoop loop
                && loop.isCompatible(EpollIoHandle.class) && enabled();
    }

    /**
     * After the ALIVE2 reply, on the channel's loop: the channel leaves its loop without closing its
     * socket (Netty's deregister only removes it from epoll), and a watcher watches that socket on the
     * same loop. The channel, no longer referenced, is garbage; the descriptor stays open.
     *
     * @return the handler to put in the channel's pipeline for the moment until the deregistration,
     *         during which the channel may still read
     */
    ChannelHandler watch(Channel channel, KeptRegistration kept) {
        ChannelConnection connection = (ChannelConnection) kept.connection();
        Socket socket = (Socket) ((EpollSocketChannel) channel).fd();
        RegistrationWatcher watcher = new RegistrationWatcher(this, kept, socket, channel);
        watched.add(watcher);
        connections.remove(channel); // its close will not come: the watcher's counts instead
        connection.watchedBy(watcher);
        // a close of the channel itself, before it has left (Netty closes it on a read error): the
        // watcher's close. Not channelInactive: a channel closed after its deregistration never fires it
        channel.closeFuture().addListener(closed -> watcher.closedWithChannel());
        channel.deregister().addListener(deregistered -> {
            if (deregistered.isSuccess()) {
                watcher.channelLeft();
            } else {
                LOG.warn("cannot take a registration connection off its event loop: {}",
                        deregistered.cause().getMessage());
                watcher.close();
            }
        });
        return KeptRegistrationHandler.untilWatched(kept);
    }

    /**
     * A watcher, parked until {@link RegistrationWatcher#unpark}, for a registration handed over by the
     * daemon this one replaces.
     *
     * @param admitted whether the connection guard gave it a slot; if not, it only closes
     */
    RegistrationWatcher adopt(KeptRegistration kept, Socket socket, boolean admitted) {
        RegistrationWatcher watcher = new RegistrationWatcher(this, kept, socket, null);
        if (admitted) {
            watched.add(watcher);
        }
        ((ChannelConnection) kept.connection()).watchedBy(watcher);
        return watcher;
    }

    /** {@code watcher}'s socket went over to the next daemon: only this process's descriptor closes. */
    void handedOver(RegistrationWatcher watcher) {
        watched.remove(watcher);
        watcher.closeDescriptor();
    }

    /** Runs {@code action} on {@code watcher}'s loop and waits for it; never call it on an event loop. */
    static void onLoop(RegistrationWatcher watcher, Runnable action) {
        watcher.watched().loop().submit(action).awaitUninterruptibly();
    }

    /** {@code watcher} closed: its slot is free, unless its channel's close gave it back already. */
    void closed(RegistrationWatcher watcher, boolean slotGivenBack) {
        if (watched.remove(watcher) && !slotGivenBack) {
            guard.release(watcher.watched().peer());
        }
    }

    /** Connections carried by watchers now. */
    int size() {
        return watched.size();
    }

    /** Every watcher now, for a hand-over or a shutdown. */
    List<RegistrationWatcher> all() {
        return new ArrayList<>(watched);
    }

    /** Closes every watched connection, each on its loop; the registrations end. */
    void closeAll() {
        for (RegistrationWatcher watcher : all()) {
            watcher.watched().close();
        }
    }
}
