package org.jepmd.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.jepmd.server.guard.ConnectionGuard;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A connection {@link FastLookup} accepted before its first bytes arrived: the bare descriptor waits
 * on its event loop's epoll for them (as epmd's select() does), then is answered or becomes its
 * ordinary channel, fired through the listener's pipeline as if just accepted. The packet timeout
 * runs from accept, here and in the channel after.
 */
final class AwaitingRequest implements EpollIoHandle {
    private final FastLookup fastLookup;
    private final Channel listener;
    private final FileDescriptor socket;
    private final InetSocketAddress remote;
    private final ConnectionGuard.Slot slot;
    private final Supplier<Channel> ordinary;
    private final long acceptedAt;
    private IoRegistration registration;
    private ScheduledFuture<?> deadline;
    private boolean done;
    /** Whether the peer is local, as reported at the opening. */
    private boolean local;

    private AwaitingRequest(FastLookup fastLookup, Channel listener, FileDescriptor socket, InetSocketAddress remote,
                            ConnectionGuard.Slot slot, Supplier<Channel> ordinary, long acceptedAt) {
        this.fastLookup = fastLookup;
        this.listener = listener;
        this.socket = socket;
        this.remote = remote;
        this.slot = slot;
        this.ordinary = ordinary;
        this.acceptedAt = acceptedAt;
    }

    /**
     * Waits on the listener's event loop (the caller's) for the connection's first bytes.
     *
     * @return false if the descriptor could not join the event loop: the caller gives it its channel
     */
    static boolean start(FastLookup fastLookup, Channel listener, FileDescriptor socket, InetSocketAddress remote,
                         ConnectionGuard.Slot slot, Supplier<Channel> ordinary, long acceptedAt) {
        AwaitingRequest waiting = new AwaitingRequest(fastLookup, listener, socket, remote, slot, ordinary, acceptedAt);
        Future<IoRegistration> registered = ((IoEventLoop) listener.eventLoop()).register(waiting);
        if (!registered.isDone()) { // registration is immediate on the loop, where accepts run
            throw new IllegalStateException("a connection must wait on its listener's event loop");
        }
        if (!registered.isSuccess()) {
            return false;
        }
        waiting.registration = registered.getNow();
        fastLookup.startedWaiting(waiting);
        waiting.local = fastLookup.bare().announce(socket, remote); // the channel's handler reports a connection at accept
        waiting.registration.submit(EpollIoOps.EPOLLIN);
        waiting.deadline = listener.eventLoop().schedule(waiting::timedOut,
                Math.max(0, fastLookup.packetTimeoutNanos() - (System.nanoTime() - acceptedAt)), TimeUnit.NANOSECONDS);
        return true;
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        if (done) {
            return;
        }
        if (!listener.isOpen()) { // the daemon is stopping: as the channel would be closed
            drop();
            return;
        }
        Object read = fastLookup.read(socket);
        if (read == FastLookup.NOTHING_YET) {
            return;
        }
        finish();
        Channel channel = fastLookup.served(read, socket, remote, slot, ordinary, acceptedAt, local);
        registration.cancel(); // no epoll_ctl once answered and closed; else the channel registers the descriptor anew
        if (channel != null) {
            // to the acceptor, as if just accepted: on this loop it joins the open connections at once
            listener.pipeline().fireChannelRead(channel);
        }
        fastLookup.stoppedWaiting(this);
    }

    private void timedOut() {
        if (done) {
            return;
        }
        finish();
        fastLookup.bare().timedOut(socket, remote, slot);
        registration.cancel();
        fastLookup.stoppedWaiting(this);
    }

    /** Closes the connection unanswered, as a channel still awaiting its request is closed (hand-over, stop). */
    void drop() {
        if (done) {
            return;
        }
        finish();
        fastLookup.bare().closedUnread(socket, remote, slot);
        if (registration != null) {
            registration.cancel();
        }
        fastLookup.stoppedWaiting(this);
    }

    /** The event loop it waits on. */
    EventLoop eventLoop() {
        return listener.eventLoop();
    }

    private void finish() {
        done = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /** The event loop stops with the connection still waiting. */
    @Override
    public void close() {
        drop();
    }
}
