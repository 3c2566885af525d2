package org.jepmd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.jepmd.testing.EpmdWire.concat;
import static org.jepmd.testing.EpmdWire.frame;
import static org.jepmd.testing.EpmdWire.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** epmd's framing ({@code do_read()}, docs/protocol.md, Framing) on an {@link EmbeddedChannel}. */
class EpmdFrameDecoderTest {
    private final List<Object> events = new ArrayList<>();
    private final EpmdFrameDecoder framer = new EpmdFrameDecoder();
    private final EmbeddedChannel channel = new EmbeddedChannel(framer, new ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            events.add(event);
        }
    });

    private boolean feed(byte... bytes) {
        return channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    /** Reads the one packet the framer passed on, releasing it. */
    private byte[] takePacket() {
        ByteBuf packet = channel.readInbound();
        try {
            return ByteBufUtil.getBytes(packet);
        } finally {
            packet.release();
        }
    }

    @Test
    void aWholePacketInOneReadIsPassedOnWithoutItsLength() {
        assertTrue(feed(frame(new byte[] {'n'})));
        assertArrayEquals(new byte[] {'n'}, takePacket());
        assertEquals(0, framer.partialBytes());
        // the packet is done: a further byte is announced as trailing, not framed
        assertFalse(feed((byte) 'n'));
        assertEquals(List.of(new EpmdFrameDecoder.TrailingBytes(1)), events);
        assertFalse(channel.finish());
    }

    @Test
    void aPacketArrivingOneByteAtATimeIsPassedOnOnlyWhenComplete() {
        byte[] wire = frame(concat(new byte[] {'z'}, "foobar".getBytes()));
        for (int i = 0; i < wire.length - 1; i++) {
            assertFalse(feed(wire[i]), "nothing passed on after byte " + i);
            assertEquals(i + 1, framer.partialBytes());
        }
        assertTrue(feed(wire[wire.length - 1]));
        assertArrayEquals(Arrays.copyOfRange(wire, 2, wire.length), takePacket());
        assertFalse(channel.finish());
    }

    @Test
    void twoPacketsInOneReadAreRejectedWithEpmdsMessage() {
        // 00 01 6E 00 01 6E: epmd reads all six bytes at once, then sees more than one packet
        EpmdCodecException error = assertThrows(EpmdCodecException.class,
                () -> feed(concat(frame(new byte[] {'n'}), frame(new byte[] {'n'}))));
        assertEquals("got 4 bytes in packet, expected 1", error.getMessage());
        assertNull(error.tag());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void bytesBeyondThePacketInTheReadThatCompletesTheLengthAreRejected() {
        assertFalse(feed((byte) 0));
        EpmdCodecException error = assertThrows(EpmdCodecException.class, () -> feed((byte) 1, (byte) 'n', (byte) 0));
        assertEquals("got 2 bytes in packet, expected 1", error.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void bytesArrivingAfterTheCompletePacketAreAnnouncedNotFramed() {
        // the length was known before they came: epmd would read only up to the packet's end
        assertFalse(feed(u16(3)));
        assertTrue(feed((byte) 'z', (byte) 'a', (byte) 'b', (byte) 'X', (byte) 'Y'));
        assertArrayEquals(new byte[] {'z', 'a', 'b'}, takePacket());
        assertEquals(List.of(new EpmdFrameDecoder.TrailingBytes(2)), events);
        assertFalse(feed((byte) 0));
        assertEquals(new EpmdFrameDecoder.TrailingBytes(1), events.get(1));
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void lengthZeroIsRejected() {
        EpmdCodecException error = assertThrows(EpmdCodecException.class, () -> feed(new byte[10]));
        assertEquals("invalid packet size (0)", error.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void lengthZeroIsRejectedAsSoonAsTheTwoLengthBytesArrive() {
        assertFalse(feed((byte) 0));
        assertThrows(EpmdCodecException.class, () -> feed((byte) 0));
        assertFalse(channel.finish());
    }

    @Test
    void length3058IsRejectedBeforeAnyPayloadArrives() {
        EpmdCodecException error = assertThrows(EpmdCodecException.class, () -> feed(u16(3058)));
        assertEquals("invalid packet size (3058)", error.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void length65535IsReadUnsignedAndRejected() {
        EpmdCodecException error = assertThrows(EpmdCodecException.class, () -> feed(u16(0xFFFF)));
        assertEquals("invalid packet size (65535)", error.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void length3057IsTheLargestAccepted() {
        byte[] payload = new byte[Epmd.MAX_REQUEST_LENGTH];
        Arrays.fill(payload, (byte) 'n');
        assertEquals(3057, payload.length);
        assertTrue(feed(frame(payload)));
        assertArrayEquals(payload, takePacket());
        assertFalse(channel.finish());
    }

    @Test
    void endOfStreamMidPacketPassesNothingOn() {
        assertFalse(feed(concat(u16(100), "only a few bytes".getBytes())));
        assertEquals(18, framer.partialBytes());
        assertFalse(channel.finish());
        assertEquals(18, framer.partialBytes(), "still waiting for the rest of the packet");
    }

    @Test
    void endOfStreamAfterOneLengthBytePassesNothingOn() {
        assertFalse(feed((byte) 0));
        assertFalse(channel.finish());
        assertEquals(1, framer.partialBytes());
    }
}
