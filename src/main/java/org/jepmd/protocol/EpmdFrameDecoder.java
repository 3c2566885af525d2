package org.jepmd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Cuts the single request of a connection out of the byte stream, with epmd's rules
 * ({@code do_read()}, docs/protocol.md, Framing): a 2-byte big-endian length, then that many bytes.
 * <ul>
 *   <li>length 0 or greater than {@value Epmd#MAX_REQUEST_LENGTH}: error, closed without a reply;</li>
 *   <li>more bytes than one packet already buffered when the length becomes known (a pipelined or
 *       garbage-trailed request): error, closed without a reply;</li>
 *   <li>bytes that arrive after the packet are not requests: each arrival is announced with
 *       {@link TrailingBytes} (docs/protocol.md, ALIVE2_REQ: any byte on a registration connection unregisters).</li>
 * </ul>
 * Once the length is known epmd reads only the rest of the packet, so bytes after it stay unread in
 * its socket; {@link #hasBytesAfterPacket()} tells whether this framer has read such bytes.
 * A read that does not complete the packet is kept as a heap copy of just the bytes that arrived,
 * never as the transport's read buffer: a connection that sends one byte and waits holds one byte,
 * not a 3,059-byte direct buffer (docs/operations.md, "Memory budget").
 * Not sharable: it holds the connection's framing state.
 */
public final class EpmdFrameDecoder extends ByteToMessageDecoder {
    private static final int HEADER_BYTES = 2;

    public EpmdFrameDecoder() {
        setCumulator(EpmdFrameDecoder::keepOnlyWhatArrived);
    }

    /**
     * A read that holds a whole packet (the usual case) is decoded in place; anything that must wait
     * for more bytes is copied into a heap buffer of exactly its size, and the read buffer released.
     */
    private static ByteBuf keepOnlyWhatArrived(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (!cumulation.isReadable() && holdsWholePacket(in)) {
            cumulation.release();
            return in;
        }
        try {
            return Unpooled.buffer(cumulation.readableBytes() + in.readableBytes())
                    .writeBytes(cumulation).writeBytes(in);
        } finally {
            cumulation.release();
            in.release();
        }
    }

    private static boolean holdsWholePacket(ByteBuf buf) {
        int readable = buf.readableBytes();
        return readable >= HEADER_BYTES && readable >= HEADER_BYTES + buf.getUnsignedShort(buf.readerIndex());
    }

    private int want = -1;
    private boolean complete;
    private boolean bytesAfterPacket;
    private int buffered;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (complete) {
            int extra = in.readableBytes();
            bytesAfterPacket = true;
            in.skipBytes(extra);
            ctx.fireUserEventTriggered(new TrailingBytes(extra));
            return;
        }
        buffered = in.readableBytes();
        if (want < 0) {
            if (in.readableBytes() < HEADER_BYTES) {
                return;
            }
            int length = in.getUnsignedShort(in.readerIndex());
            if (length == 0 || length > Epmd.MAX_REQUEST_LENGTH) {
                in.skipBytes(in.readableBytes());
                throw new EpmdCodecException(null, "invalid packet size (" + length + ")");
            }
            int got = in.readableBytes() - HEADER_BYTES;
            if (got > length) {
                in.skipBytes(in.readableBytes());
                throw new EpmdCodecException(null, "got " + got + " bytes in packet, expected " + length);
            }
            want = length;
        }
        if (in.readableBytes() < want + HEADER_BYTES) {
            return;
        }
        in.skipBytes(HEADER_BYTES);
        complete = true;
        bytesAfterPacket = in.readableBytes() > want; // announced (TrailingBytes) once the packet is passed on
        out.add(in.readRetainedSlice(want));
    }

    /**
     * True once bytes beyond the packet have been read: bytes that epmd, which reads only up to the
     * packet's end once its length is known, would still hold unread when it closes the connection.
     */
    public boolean hasBytesAfterPacket() {
        return bytesAfterPacket;
    }

    /** Bytes buffered of an unfinished packet, for epmd's "partial packet" message. */
    public int partialBytes() {
        return complete ? 0 : buffered;
    }

    /** True once the connection's one packet has been passed on (for the level-3 clock readings). */
    public boolean isComplete() {
        return complete;
    }

    /**
     * Announces bytes that arrived after the connection's packet; they have been discarded.
     *
     * @param count how many bytes arrived in this read
     */
    public record TrailingBytes(int count) {
    }
}
