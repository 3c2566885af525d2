package org.jepmd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.jepmd.testing.EpmdWire.concat;
import static org.jepmd.testing.EpmdWire.u16;
import static org.jepmd.testing.EpmdWire.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reply bytes as epmd writes them (docs/protocol.md, Requests), checked through an {@link EmbeddedChannel}. */
class EpmdRepliesTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** Writes {@code reply} out of an embedded channel and returns the bytes that left it. */
    private static byte[] wire(ByteBuf reply) {
        EmbeddedChannel channel = new EmbeddedChannel();
        assertTrue(channel.writeOutbound(reply));
        ByteBuf out = channel.readOutbound();
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            assertFalse(channel.finish());
        }
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static NodeInfo node(String name, int port, int type, int high, int low, byte[] extra) {
        return new NodeInfo(NodeName.of(name), port, type, 0, high, low, extra);
    }

    @Test
    void alive2ForHighestVersion6IsTheSixByteXRespWith32BitCreation() {
        assertArrayEquals(hex("76 00 6B 02 3A 4C"), wire(EpmdReplies.alive2(ALLOC, 6, true, 0x6B023A4CL)));
    }

    @Test
    void alive2ForHighestVersion7IsAlsoTheXResp() {
        assertArrayEquals(hex("76 00 FF FF FF FF"), wire(EpmdReplies.alive2(ALLOC, 7, true, 0xFFFF_FFFFL)));
    }

    @Test
    void alive2ForHighestVersion5IsTheFourByteRespWith16BitCreation() {
        assertArrayEquals(hex("79 00 00 03"), wire(EpmdReplies.alive2(ALLOC, 5, true, 3)));
    }

    @Test
    void refusedAlive2IsResultOneCreation99InTheRequestsForm() {
        assertArrayEquals(hex("76 01 00 00 00 63"), wire(EpmdReplies.alive2Refused(ALLOC, 6)));
        assertArrayEquals(hex("79 01 00 63"), wire(EpmdReplies.alive2Refused(ALLOC, 5)));
        assertArrayEquals(hex("79 01 00 63"), wire(EpmdReplies.alive2Refused(ALLOC, 0)));
    }

    @Test
    void port2FoundCarriesEveryFieldAndTheExtraVerbatim() {
        // the example in docs/protocol.md, PORT_PLEASE2_REQ (checked against epmd)
        byte[] expected = concat(hex("77 00 09 29 4D 00 00 06 00 05"), u16(3), utf8("bar"), u16(3), hex("45 58 00"));
        assertArrayEquals(expected, wire(EpmdReplies.port2Found(ALLOC, node("bar", 2345, 77, 6, 5, hex("45 58 00")))));
    }

    @Test
    void port2FoundAlwaysCarriesTheExtraLengthEvenWhenEmpty() {
        byte[] expected = concat(hex("77 00 12 67 48 00 00 05 00 05"), u16(3), utf8("foo"), u16(0));
        assertArrayEquals(expected, wire(EpmdReplies.port2Found(ALLOC, node("foo", 4711, 72, 5, 5, new byte[0]))));
    }

    @Test
    void port2FoundReturnsAMultiByteNameByteForByte() {
        String name = "\uD83D\uDE08";
        byte[] expected = concat(hex("77 00 12 67 48 00 00 05 00 05"), u16(4), hex("F0 9F 98 88"), u16(0));
        assertArrayEquals(expected, wire(EpmdReplies.port2Found(ALLOC, node(name, 4711, 72, 5, 5, new byte[0]))));
    }

    @Test
    void port2NotFoundIsTwoBytes() {
        assertArrayEquals(hex("77 01"), wire(EpmdReplies.port2NotFound(ALLOC)));
    }

    @Test
    void namesAndDumpStartWithTheConfiguredPortAs32Bits() {
        assertArrayEquals(hex("00 00 11 11"), wire(EpmdReplies.portHeader(ALLOC, 4369)));
        assertArrayEquals(hex("00 01 11 70"), wire(EpmdReplies.portHeader(ALLOC, 70000)));
    }

    @Test
    void namesLineHasNoPaddingAndNoNul() {
        ByteBuf out = Unpooled.buffer();
        EpmdReplies.writeNamesLine(out, NodeName.of("bar"), 2345);
        EpmdReplies.writeNamesLine(out, NodeName.of(""), 1);
        assertArrayEquals(utf8("name bar at port 2345\nname  at port 1\n"), wire(out));
    }

    @Test
    void dumpActiveLineHasFiveSpacesAndATrailingNul() {
        ByteBuf out = Unpooled.buffer();
        EpmdReplies.writeDumpActiveLine(out, NodeName.of("foo"), 1234, 7);
        assertArrayEquals(concat(utf8("active name     <foo> at port 1234, fd = 7\n"), new byte[1]), wire(out));
    }

    @Test
    void dumpUnusedLineHasASpaceBeforeTheNewlineAndATrailingNul() {
        ByteBuf out = Unpooled.buffer();
        EpmdReplies.writeDumpUnusedLine(out, NodeName.of("foo"), 1234, 7);
        assertArrayEquals(concat(utf8("old/unused name <foo>, port = 1234, fd = 7 \n"), new byte[1]), wire(out));
    }

    @Test
    void killAndStopRepliesAreBareAscii() {
        assertArrayEquals(utf8("OK"), wire(EpmdReplies.kill(ALLOC, true)));
        assertArrayEquals(utf8("NO"), wire(EpmdReplies.kill(ALLOC, false)));
        assertArrayEquals(utf8("STOPPED"), wire(EpmdReplies.stopped(ALLOC)));
        assertArrayEquals(utf8("NOEXIST"), wire(EpmdReplies.noExist(ALLOC)));
    }
}
