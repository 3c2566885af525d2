package org.jepmd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * A connection as {@link RequestLogic} sees it, and the registry's owner of its registration: a Netty
 * channel, which on epoll a {@link RegistrationWatcher} replaces after the ALIVE2 reply. Its close
 * actions are its own, not its channel's, so that they outlive the channel.
 */
final class ChannelConnection implements RequestLogic.Connection, ChannelFutureListener {
    private final EventLoop loop;
    private final SocketAddress peer;
    private final boolean local;
    private final int fd;
    /** Until a watcher takes the socket over; null after. */
    private volatile Channel channel;
    private volatile RegistrationWatcher watcher;
    /** Guarded by this; null until the first {@link #whenClosed}. */
    private List<Runnable> closeActions;
    private boolean closed;

    ChannelConnection(Channel channel, SocketAddress peer, boolean isLocal, int fd) {
        this(channel.eventLoop(), channel, peer, isLocal, fd);
    }

    /** A connection that only a watcher carries: a registration handed over by the daemon this one replaces. */
    ChannelConnection(EventLoop loop, SocketAddress peer, int fd) {
        this(loop, null, peer, true, fd);
    }

    private ChannelConnection(EventLoop loop, Channel channel, SocketAddress peer, boolean isLocal, int fd) {
        this.loop = loop;
        this.channel = channel;
        this.peer = peer;
        this.local = isLocal;
        this.fd = fd;
    }

    @Override
    public SocketAddress peer() {
        return peer;
    }

    @Override
    public boolean isLocal() {
        return local;
    }

    @Override
    public int fd() {
        return fd;
    }

    /** The event loop the connection runs on, channel or watcher. */
    EventLoop loop() {
        return loop;
    }

    /** The channel, or null once a watcher carries the connection. */
    Channel channel() {
        return channel;
    }

    /** The watcher that carries the connection, or null while its channel does. */
    RegistrationWatcher watcher() {
        return watcher;
    }

    @Override
    public void close() {
        if (!loop.inEventLoop()) {
            loop.execute(this::close); // on the loop, so that it cannot race the hand-over to a watcher
            return;
        }
        Channel now = channel;
        if (now != null) {
            now.close();
        } else if (watcher != null) {
            watcher.close();
        }
    }

    @Override
    public void whenClosed(Runnable action) {
        boolean runNow;
        boolean first = false;
        synchronized (this) {
            runNow = closed;
            if (!runNow) {
                first = closeActions == null;
                if (first) {
                    closeActions = new ArrayList<>(2);
                }
                closeActions.add(action);
            }
        }
        if (runNow) {
            runAfterTheOthers(action);
            return;
        }
        Channel now = channel;
        if (first && now != null) {
            now.closeFuture().addListener(this); // one listener runs them all; a watcher's close runs them instead
        }
    }

    /**
     * Runs a close action added after the close. The others run on the loop, perhaps still now: an
     * action from another loop (a takeover wait) must come after them, the holder's release first.
     */
    private void runAfterTheOthers(Runnable action) {
        if (loop.inEventLoop()) {
            action.run();
            return;
        }
        try {
            loop.execute(action);
        } catch (RejectedExecutionException stopped) {
            action.run(); // the daemon stopped: nothing else runs on the loop any more
        }
    }

    /** The channel's close. */
    @Override
    public void operationComplete(ChannelFuture future) {
        closed();
    }

    /** Runs the close actions, once. */
    void closed() {
        List<Runnable> actions;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            actions = closeActions;
        }
        if (actions != null) {
            actions.forEach(Runnable::run);
        }
    }

    /**
     * From now on {@code by} carries the connection: its channel is left to the garbage collector,
     * its close actions wait for the watcher's close. On the loop, with the channel open.
     */
    void watchedBy(RegistrationWatcher by) {
        Channel before;
        synchronized (this) {
            before = channel;
            watcher = by;
            channel = null;
        }
        if (before != null) {
            before.closeFuture().removeListener(this);
        }
    }
}
