package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.epoll.AcceptHookEpollServerSocketChannel.AcceptHook;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.FastThreadLocal;
import org.jepmd.protocol.Epmd;
import org.jepmd.protocol.EpmdCodecException;
import org.jepmd.protocol.EpmdRequest;
import org.jepmd.protocol.EpmdRequestDecoder;
import org.jepmd.protocol.EpmdTag;
import org.jepmd.server.guard.ConnectionGuard;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * Answers a lookup at accept, on the epoll transport, without a channel: when the first read of a new
 * connection holds exactly one PORT_PLEASE2_REQ or NAMES_REQ, the connection costs accept, read,
 * write and close, as in epmd (docs/protocol.md, Connections). Every rule, log line and event is
 * still {@link RequestLogic}'s, and the connection guard still admits the connection before its
 * first byte is read. A connection accepted before its bytes arrived waits for them as a bare
 * descriptor on the event loop's epoll ({@link AwaitingRequest}). Anything else (part of a packet,
 * another request, a bad packet, EOF) becomes the ordinary channel, which gets the bytes already
 * read as its first read ({@link FirstRead}).
 * {@code -Djepmd.fastLookup=false} turns it off.
 */
final class FastLookup implements AcceptHook {
    /** The system property that turns the fast path off. */
    static final String PROPERTY = "jepmd.fastLookup";
    /** NAMES is answered here only for this many live nodes or fewer: a reply of a few KiB, one write. */
    static final int NAMES_MAX_NODES = 8;
    /** No bytes to read yet (EAGAIN). */
    static final Object NOTHING_YET = new Object();
    /** The peer closed before sending anything: the channel reads the end itself. */
    static final Object END_OF_STREAM = new Object();
    /** The first read of each connection, reused by every connection its event loop accepts. */
    private static final FastThreadLocal<ByteBuf> FIRST_READ = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(Epmd.FIRST_READ_SIZE)).clear();
        }
    };

    private final ServerContext server;
    private final BareConnections bare;
    private final ConnectionGuard guard;
    private final boolean enabled;
    private final Set<AwaitingRequest> waiting = ConcurrentHashMap.newKeySet();

    FastLookup(ServerContext server, RequestLogic logic, ConnectionGuard guard) {
        this.server = server;
        this.bare = new BareConnections(server, logic);
        this.guard = guard;
        ServerConfig config = server.config();
        this.enabled = Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))
                && config.delayWrite().isZero() && config.delayAccept().isZero();
    }

    /** False when {@link #PROPERTY} or a write or accept delay rules the fast path out. */
    boolean isOn() {
        return enabled;
    }

    @Override
    public Channel accepted(Channel listener, int fd, InetSocketAddress remote, Supplier<Channel> ordinary) {
        // at -d -d every read and reply is dumped by the channel's pipeline (PacketDumpHandler)
        if (LOG.isDebugEnabled()) {
            return ordinary.get();
        }
        // a bare descriptor: Netty's Socket would ask the kernel for the address family first
        FileDescriptor socket = new FileDescriptor(fd);
        ConnectionGuard.Slot slot = guard.take(remote);
        if (slot.refusal() != null) {
            server.events().connectionRefused(remote, slot.refusal().label());
            BareConnections.closeQuietly(socket);
            return null;
        }
        Object read = read(socket);
        if (read instanceof Lookup lookup) {
            bare.answer(socket, remote, slot, lookup.request(), lookup.bytes(), null);
            return null;
        }
        // the packet timeout runs from here, one read after the accept
        long acceptedAt = System.nanoTime();
        if (read == NOTHING_YET) {
            if (AwaitingRequest.start(this, listener, socket, remote, slot, ordinary, acceptedAt)) {
                return null;
            }
            read = END_OF_STREAM; // the channel reads for itself
        }
        return served(read, socket, remote, slot, ordinary, acceptedAt, null);
    }

    /**
     * One read of at most {@link Epmd#FIRST_READ_SIZE} bytes, as the channel's first read would be:
     * the request (a whole lookup answered here), a copy of the bytes, the failure, {@link #NOTHING_YET}
     * or {@link #END_OF_STREAM}.
     */
    Object read(FileDescriptor socket) {
        ByteBuf in = FIRST_READ.get().clear();
        try {
            int read = in.hasMemoryAddress() ? socket.readAddress(in.memoryAddress(), 0, in.capacity())
                    : socket.read(in.internalNioBuffer(0, in.capacity()), 0, in.capacity());
            if (read == 0) {
                return NOTHING_YET;
            } else if (read < 0) {
                return END_OF_STREAM;
            }
            in.writerIndex(read);
            EpmdRequest request = wholeLookup(in);
            return request != null ? new Lookup(request, read) : Unpooled.copiedBuffer(in);
        } catch (IOException e) {
            return asChannelReadFailure(e); // its pipeline hears it as from its own read
        }
    }

    /** A whole lookup in the first read, of {@code bytes} bytes. */
    private record Lookup(EpmdRequest request, int bytes) {
    }

    /**
     * After the first read ({@link #read}, never {@link #NOTHING_YET}): answers a lookup and closes
     * (null), or gives the connection to its ordinary channel with what was read. The channel is
     * admitted by the guard again, as every ordinary connection is.
     *
     * @param announced null, or: the connection's opening was reported already, with whether the peer
     *                  is local ({@link BareConnections#announce})
     */
    Channel served(Object read, FileDescriptor socket, InetSocketAddress remote, ConnectionGuard.Slot slot,
                   Supplier<Channel> ordinary, long acceptedAt, Boolean announced) {
        if (read instanceof Lookup lookup) {
            bare.answer(socket, remote, slot, lookup.request(), lookup.bytes(), announced);
            return null;
        }
        slot.release();
        Channel channel = ordinary.get();
        // the channel's handler reports the opening, unless done; a channel the guard turns away then closes unseen
        Runnable closedUnseen = announced != null ? () -> server.events().connectionClosed(remote) : null;
        channel.pipeline().addFirst("firstRead",
                new FirstRead(read == END_OF_STREAM ? null : read, acceptedAt, closedUnseen, Boolean.TRUE.equals(announced)));
        return channel;
    }

    void startedWaiting(AwaitingRequest connection) {
        waiting.add(connection);
    }

    void stoppedWaiting(AwaitingRequest connection) {
        waiting.remove(connection);
    }

    /** Connections accepted and still waiting for their request as bare descriptors. */
    int waiting() {
        return waiting.size();
    }

    /** Closes every connection still waiting for its request, as open channels awaiting theirs are closed. */
    void dropWaiting() {
        for (AwaitingRequest connection : waiting) {
            connection.eventLoop().submit(connection::drop).awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }

    /** The connections that are bare descriptors, as the channel's handler would treat them. */
    BareConnections bare() {
        return bare;
    }

    /** How long a connection may wait for its request (the packet timeout). */
    long packetTimeoutNanos() {
        return server.config().packetTimeout().toNanos();
    }

    /** The failure as the channel's own read (recvfrom) would have reported it. */
    private static IOException asChannelReadFailure(IOException failure) {
        if (failure instanceof Errors.NativeIoException nativeFailure) {
            try {
                Errors.ioResult("recvAddress", nativeFailure.expectedErr());
            } catch (IOException asChannel) {
                return asChannel;
            }
        }
        return failure;
    }

    /** The request if {@code in} is exactly one well-formed PORT_PLEASE2_REQ or a NAMES_REQ answered here, else null. */
    private EpmdRequest wholeLookup(ByteBuf in) {
        int readable = in.readableBytes();
        if (readable < 3 || readable != 2 + in.getUnsignedShort(0)) {
            return null; // part of a packet, more than one, or a length the framer refuses
        }
        int tag = in.getUnsignedByte(2);
        if (tag == EpmdTag.NAMES_REQ.value() && server.registry().size() > NAMES_MAX_NODES) {
            return null;
        }
        if (tag != EpmdTag.PORT_PLEASE2_REQ.value() && tag != EpmdTag.NAMES_REQ.value()) {
            return null;
        }
        try {
            return EpmdRequestDecoder.decode(in.readerIndex(2)); // in place: the decoder copies what it keeps
        } catch (EpmdCodecException dropped) {
            return null; // the channel's decoder drops it with epmd's message
        } finally {
            in.readerIndex(0);
        }
    }

}
