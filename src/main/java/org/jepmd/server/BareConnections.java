package org.jepmd.server;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.FastThreadLocal;
import org.jepmd.net.LocalPeers;
import org.jepmd.protocol.EpmdRequest;
import org.jepmd.server.RequestLogic.Answer;
import org.jepmd.server.RequestLogic.Fate;
import org.jepmd.server.RequestLogic.Reply;
import org.jepmd.server.guard.ConnectionGuard;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * What the connection handler ({@link EpmdConnectionHandler}) does with a connection, for one that is
 * a bare descriptor ({@link FastLookup}): the same events and log lines for its opening, its lookup
 * and reply, its timeout and its close.
 */
final class BareConnections {
    /** Connections answered here, for tests; never reset. */
    private static final LongAdder ANSWERED = new LongAdder();
    /**
     * Replies that did not leave whole with the one write: not seen in practice (the first write of a
     * few KiB to a new connection fits its empty send buffer), counted so that one would show.
     */
    private static final LongAdder SHORT_WRITES = new LongAdder();

    /**
     * Every PORT2_RESP fits (at most 2,054 bytes: a name and an extra of 1,020 bytes each), and a NAMES reply
     * of {@link FastLookup#NAMES_MAX_NODES} lines unless the names are long in UTF-8.
     */
    private static final int REPLY_OUT_BYTES = 4096;
    /** Where replies are made: the heap, no metrics, no leak tracking (each is released in {@link #write}). */
    private static final ByteBufAllocator REPLY_ALLOC = new AbstractByteBufAllocator(false) {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity); // copied to the loop's direct buffer anyway
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    };
    /** The direct buffer each event loop writes its replies from, reused by every reply. */
    private static final FastThreadLocal<ByteBuf> REPLY_OUT = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(REPLY_OUT_BYTES)).clear();
        }
    };

    private final ServerContext server;
    private final RequestLogic logic;

    BareConnections(ServerContext server, RequestLogic logic) {
        this.server = server;
        this.logic = logic;
    }

    /** How many connections were answered at accept in this JVM. */
    static long answered() {
        return ANSWERED.sum();
    }

    /** How many replies written here did not leave whole with one write. */
    static long shortWrites() {
        return SHORT_WRITES.sum();
    }

    /**
     * Reports a connection's opening, for one that waits for its request ({@link AwaitingRequest}).
     *
     * @return whether the peer is local, as the local-peer policy said
     */
    boolean announce(FileDescriptor socket, InetSocketAddress remote) {
        boolean local = isLocal(socket.intValue(), remote);
        server.events().connectionOpened(remote, local);
        return local;
    }

    /** epmd's end of a connection that sent nothing within the packet timeout, as the channel's handler has it. */
    void timedOut(FileDescriptor socket, InetSocketAddress remote, ConnectionGuard.Slot slot) {
        LOG.info("closing because timed out on receive");
        server.events().timedOut(remote);
        close(socket, remote, slot);
    }

    /** A connection still waiting for its first byte when the daemon stops, as the channel's handler has it. */
    void closedUnread(FileDescriptor socket, InetSocketAddress remote, ConnectionGuard.Slot slot) {
        LOG.warn("got partial packet only on file descriptor {} ({})", socket.intValue(), 0);
        close(socket, remote, slot);
    }

    /** What the channel's handler does for a request in the first read, then its close. */
    /**
     * @param announced null, or whether the peer is local, as reported at the opening ({@link #announce})
     */
    void answer(FileDescriptor socket, InetSocketAddress remote, ConnectionGuard.Slot slot, EpmdRequest request,
                int bytesRead, Boolean announced) {
        int fd = socket.intValue();
        boolean local = announced != null ? announced : isLocal(fd, remote);
        if (announced == null) {
            server.events().connectionOpened(remote, local);
        }
        server.events().bytesIn(bytesRead);
        ANSWERED.increment();
        Answer answer = logic.handle(request, new AcceptedConnection(remote, local, fd));
        if (answer instanceof Answer.Send send && send.fate() == Fate.CLOSE) {
            if (write(socket, send.reply()) && LOG.isInfoEnabled() && send.reply().sentLine() != null) {
                LOG.info(send.reply().sentLine());
            }
        } else if (!(answer instanceof Answer.CloseUnanswered)) {
            throw new IllegalStateException("a lookup answered with " + answer);
        }
        close(socket, remote, slot);
    }

    /** {@link LocalPeers#isLocal} needs the connection's own address only for a peer not on loopback. */
    private boolean isLocal(int fd, InetSocketAddress remote) {
        LocalPeerPolicy policy = server.config().localPeers();
        if (policy == LocalPeerPolicy.EPMD && LocalPeers.isLoopback(remote)) {
            return true;
        }
        return policy.isLocal(remote, new Socket(fd).localAddress());
    }

    /**
     * Writes the reply with one write; false if it did not all leave (the peer went away). A reply is
     * made on the heap and copied to the event loop's own direct buffer: no direct allocation, free
     * or leak tracking per lookup. One larger than that buffer (NAMES of long UTF-8 names) is
     * copied to a direct buffer of the connections' budget instead, as a channel's would be.
     */
    private boolean write(FileDescriptor socket, Reply reply) {
        ByteBuf made = replyBytes(reply);
        ByteBuf loopBuffer = REPLY_OUT.get();
        ByteBuf out;
        try {
            out = made.readableBytes() <= REPLY_OUT_BYTES
                    ? loopBuffer.clear().writeBytes(made)
                    : server.memory().directBuffer(made.readableBytes()).writeBytes(made);
        } catch (OutOfMemoryError e) {
            if (server.memory().isRefusal(e)) {
                return false; // the channel's handler closes without a reply too
            }
            throw e;
        } finally {
            made.release();
        }
        try {
            int length = out.readableBytes();
            int sent = out.hasMemoryAddress()
                    ? socket.writeAddress(out.memoryAddress(), out.readerIndex(), out.writerIndex())
                    : socket.write(out.internalNioBuffer(out.readerIndex(), length), 0, length);
            if (sent != length) {
                SHORT_WRITES.increment();
                return false;
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            if (out != loopBuffer) {
                out.release();
            }
        }
    }

    /** The reply on the heap, each piece counted as the channel's byte counter counts its writes. */
    private ByteBuf replyBytes(Reply reply) {
        ByteBuf whole = ReplySources.whole(reply, REPLY_ALLOC, server);
        if (whole != null) {
            server.events().bytesOut(whole.readableBytes());
            return whole;
        }
        ReplyStream.Source pieces = ReplySources.pieces(reply, REPLY_ALLOC, server);
        ByteBuf all = REPLY_ALLOC.heapBuffer(REPLY_OUT_BYTES);
        try {
            for (ByteBuf piece = pieces.next(REPLY_ALLOC); piece != null; piece = pieces.next(REPLY_ALLOC)) {
                server.events().bytesOut(piece.readableBytes());
                all.writeBytes(piece);
                piece.release();
            }
        } catch (RuntimeException | Error e) {
            all.release();
            pieces.discard();
            throw e;
        }
        return all;
    }

    /** Closes the connection and gives its slot back, then reports it closed, as a channel's close does. */
    private void close(FileDescriptor socket, InetSocketAddress remote, ConnectionGuard.Slot slot) {
        closeQuietly(socket);
        slot.release();
        server.events().connectionClosed(remote);
    }

    static void closeQuietly(FileDescriptor socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: the descriptor is gone either way
        }
    }
}
