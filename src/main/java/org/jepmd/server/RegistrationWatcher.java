package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import org.jepmd.protocol.Epmd;

import java.io.IOException;

/**
 * A registration connection after its ALIVE2 reply, on epoll, without a Netty channel: its socket is
 * watched directly on the event loop for a byte, the peer's close or an error, any of which ends it as
 * {@link KeptRegistration} says. A registered node then costs its registry entry, this watcher, its
 * {@link ChannelConnection} and its socket object: no pipeline, buffers or channel state for a
 * connection that, for the node's whole life, only waits.
 */
final class RegistrationWatcher implements EpollIoHandle {
    /** Level-triggered: whatever is pending when the watch starts is reported at once. */
    private static final EpollIoOps READ_OR_HANG_UP = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP);

    private final RegistrationWatchers watchers;
    private final KeptRegistration kept;
    private final Socket socket;
    /** The channel the socket comes from, until it has left its event loop; its close is then the watcher's. */
    private Channel leaving;
    /** Non-null while the event loop watches the socket. */
    private IoRegistration registration;
    /** Off the loop for a hand-over ({@link #park}): not watched, not closed. */
    private boolean parked;
    private boolean closed;

    /**
     * @param socket  the connection's socket, the very object its channel used (if it had one): a close
     *                by either marks it closed, so the descriptor number is never closed twice
     * @param leaving the channel {@code socket} comes from, still on its loop; null for none
     */
    RegistrationWatcher(RegistrationWatchers watchers, KeptRegistration kept, Socket socket, Channel leaving) {
        this.watchers = watchers;
        this.kept = kept;
        this.socket = socket;
        this.leaving = leaving;
        this.parked = leaving == null; // a handed-over socket waits for the daemon to serve
    }

    private ChannelConnection connection() {
        return (ChannelConnection) kept.connection();
    }

    /** The channel has left its event loop: the watch starts, unless the channel closed meanwhile. */
    void channelLeft() {
        leaving = null;
        watch();
    }

    /**
     * Stops watching without closing the socket, so that a byte or a close arriving stays for the next
     * daemon to read ({@code jepmd -restart}); on the loop.
     */
    void park() {
        parked = true;
        unwatch();
    }

    /** Watches again after {@link #park}, or for the first time after an adoption; on the loop. */
    void unpark() {
        parked = false;
        watch();
    }

    /** Open and parked: its socket can go over to the next daemon. */
    boolean isParkedOpen() {
        return parked && !closed && socket.isOpen();
    }

    /** Starts watching the socket on the connection's event loop; on the loop. */
    private void watch() {
        if (closed || parked || registration != null || !socket.isOpen()) {
            return;
        }
        ((IoEventLoop) connection().loop()).register(this).addListener(registered -> {
            if (!registered.isSuccess()) {
                kept.failed(registered.cause());
                return;
            }
            IoRegistration now = (IoRegistration) registered.getNow();
            if (closed) {
                now.cancel();
                return;
            }
            registration = now;
            try {
                now.submit(READ_OR_HANG_UP);
            } catch (Exception e) {
                kept.failed(e);
            }
        });
    }

    /** Stops watching without closing the socket, e.g. for a hand-over; on the loop. */
    void unwatch() {
        IoRegistration now = registration;
        registration = null;
        if (now != null) {
            now.cancel();
        }
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    /** The socket became readable, or the peer closed it, or it failed: one read says which. */
    @Override
    public void handle(IoRegistration ready, IoEvent event) {
        EpmdLog.time(); // the select() loop woke up for this socket
        ByteBuf bytes = null;
        try {
            bytes = kept.server().memory().directBuffer(Epmd.FIRST_READ_SIZE);
            int read = bytes.hasMemoryAddress()
                    ? socket.recvAddress(bytes.memoryAddress(), 0, bytes.capacity())
                    : socket.recv(bytes.internalNioBuffer(0, bytes.capacity()), 0, bytes.capacity());
            if (read > 0) {
                bytes.writerIndex(read);
                kept.server().events().bytesIn(read);
                kept.unexpectedData(read, bytes);
            } else if (read < 0) {
                close(); // the node closed its side: the registration ends
            }
        } catch (Throwable e) {
            kept.failed(e);
        } finally {
            if (bytes != null) {
                bytes.release();
            }
        }
    }

    /**
     * Closes the socket; the registration ends, with the same log lines and events as a channel's
     * close. On the loop; the loop itself calls it when it shuts down.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        Channel channel = leaving;
        if (channel != null) {
            channel.close(); // still on the loop: Netty closes it, and its inactive event ends the watcher
            return;
        }
        close(false);
    }

    /** Its channel closed before it left the loop, giving back its connection guard slot itself. */
    void closedWithChannel() {
        leaving = null;
        close(true);
    }

    private void close(boolean slotGivenBack) {
        if (closed) {
            return;
        }
        closed = true;
        unwatch();
        closeDescriptor();
        watchers.closed(this, slotGivenBack);
        connection().closed();
        kept.closed();
    }

    /** Closes this process's descriptor of the socket and nothing else: a hand-over's last step. */
    void closeDescriptor() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** The connection this watcher carries. */
    ChannelConnection watched() {
        return connection();
    }
}
