package org.jepmd.protocol;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.jepmd.testing.EpmdWire.alive2;
import static org.jepmd.testing.EpmdWire.concat;
import static org.jepmd.testing.EpmdWire.frame;
import static org.jepmd.testing.EpmdWire.u16;
import static org.jepmd.testing.EpmdWire.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Requests as epmd's {@code do_request()} reads them (docs/protocol.md, Requests), through the framer and
 * decoder on an {@link EmbeddedChannel}. Packets are laid out field by field.
 */
class EpmdRequestDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new EpmdFrameDecoder(), EpmdRequestDecoder.INSTANCE);

    /** Sends one framed payload and returns the request it decodes to. */
    private EpmdRequest decode(byte[] payload) {
        channel.writeInbound(Unpooled.wrappedBuffer(frame(payload)));
        EpmdRequest request = channel.readInbound();
        assertFalse(channel.finish());
        return request;
    }

    /** Sends one framed payload, one byte at a time, and returns the request it decodes to. */
    private EpmdRequest decodeByteByByte(byte[] payload) {
        for (byte b : frame(payload)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        EpmdRequest request = channel.readInbound();
        assertFalse(channel.finish());
        return request;
    }

    /** Sends one framed payload that epmd drops and returns the decoder's reason. */
    private EpmdCodecException rejected(byte[] payload) {
        EpmdCodecException error = assertThrows(EpmdCodecException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(frame(payload))));
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
        return error;
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    // ---- ALIVE2_REQ (docs/protocol.md) ----

    @Test
    void alive2FieldsAreReadAtTheirOffsets() {
        byte[] payload = concat(
                bytes('x'),
                u16(0x1234),          // PortNo
                bytes(72),            // NodeType 'H'
                bytes(1),             // Protocol
                u16(6),               // HighestVersion
                u16(5),               // LowestVersion
                u16(3), utf8("bar"),  // Nlen, NodeName
                u16(3), bytes('E', 'X', 0)); // Elen, Extra with a NUL
        EpmdRequest.Alive2 request = assertInstanceOf(EpmdRequest.Alive2.class, decodeByteByByte(payload));
        NodeInfo node = request.node();
        assertEquals(NodeName.of("bar"), node.name());
        assertEquals(0x1234, node.port());
        assertEquals(72, node.nodeType());
        assertEquals(1, node.protocol());
        assertEquals(6, node.highestVersion());
        assertEquals(5, node.lowestVersion());
        assertArrayEquals(bytes('E', 'X', 0), node.extra());
    }

    @Test
    void alive2NumericFieldsAreUnsignedAndNotValidated() {
        EpmdRequest.Alive2 request = assertInstanceOf(EpmdRequest.Alive2.class,
                decode(alive2(0xFFFF, 0xFF, 0xFF, 0xFFFF, 0, utf8("n"), new byte[0])));
        assertEquals(0xFFFF, request.node().port());
        assertEquals(0xFF, request.node().nodeType());
        assertEquals(0xFF, request.node().protocol());
        assertEquals(0xFFFF, request.node().highestVersion());
    }

    @Test
    void alive2BytesAfterTheExtraAreIgnored() {
        byte[] payload = concat(alive2(1000, 77, 0, 6, 5, utf8("foo"), utf8("ex")), bytes(1, 2, 3));
        EpmdRequest.Alive2 request = assertInstanceOf(EpmdRequest.Alive2.class, decode(payload));
        assertEquals(NodeName.of("foo"), request.node().name());
        assertArrayEquals(utf8("ex"), request.node().extra());
    }

    @Test
    void alive2WithAnEmptyNameIsPassedOnForTheRegistryToAccept() {
        // Length 14: the fixed 13 bytes with Nlen 0 and Elen 0, plus one trailing byte (docs/protocol.md, ALIVE2_REQ)
        byte[] payload = concat(alive2(1, 77, 0, 5, 5, new byte[0], new byte[0]), bytes(0));
        assertEquals(14, payload.length);
        EpmdRequest.Alive2 request = assertInstanceOf(EpmdRequest.Alive2.class, decode(payload));
        assertEquals(0, request.node().name().length());
    }

    @Test
    void alive2OfThirteenBytesIsTooSmall() {
        byte[] payload = alive2(1, 77, 0, 5, 5, new byte[0], new byte[0]);
        assertEquals(13, payload.length);
        EpmdCodecException error = rejected(payload);
        assertEquals(EpmdTag.ALIVE2_REQ, error.tag());
        assertEquals("packet to small for request ALIVE2_REQ (13)", error.getMessage());
    }

    @Test
    void alive2EndingAfterTheNameLengthIsTooSmall() {
        // epmd_SUITE alive_req_too_small_1: Nlen 0 and no Elen, 11 bytes
        byte[] payload = concat(bytes('x'), u16(1000), bytes('M', 0), u16(5), u16(5), u16(0));
        assertEquals("packet to small for request ALIVE2_REQ (11)", rejected(payload).getMessage());
    }

    @Test
    void alive2EndingAfterTheLowestVersionIsTooSmall() {
        // epmd_SUITE alive_req_too_small_2: 9 bytes
        byte[] payload = concat(bytes('x'), u16(1000), bytes('M', 0), u16(5), u16(5));
        assertEquals("packet to small for request ALIVE2_REQ (9)", rejected(payload).getMessage());
    }

    @Test
    void alive2NameLongerThanThePacketIsDropped() {
        byte[] payload = concat(bytes('x'), u16(1000), bytes('M', 0), u16(5), u16(5),
                u16(4), utf8("foo"), u16(0)); // Nlen 4 but only 3 name bytes + Elen: 4 + 13 > 16
        EpmdCodecException error = rejected(payload);
        assertEquals(EpmdTag.ALIVE2_REQ, error.tag());
        assertEquals("Node name size error in ALIVE2_REQ", error.getMessage());
    }

    @Test
    void alive2ExtraLongerThanThePacketIsDropped() {
        // epmd_SUITE buffer_overrun_1: Elen announced, no Extra bytes sent
        byte[] payload = concat(bytes('x'), u16(4747), bytes('M', 0), u16(5), u16(5),
                u16(5), utf8("gurka"), u16(1));
        EpmdCodecException error = rejected(payload);
        assertEquals(EpmdTag.ALIVE2_REQ, error.tag());
        assertEquals("Extra info size error in ALIVE2_REQ", error.getMessage());
    }

    @Test
    void alive2ExtraExactlyFillingThePacketIsAccepted() {
        byte[] extra = new byte[1020];
        java.util.Arrays.fill(extra, (byte) 0xFF);
        EpmdRequest.Alive2 request = assertInstanceOf(EpmdRequest.Alive2.class,
                decode(alive2(4747, 'M', 0, 5, 5, utf8("gurka"), extra)));
        assertEquals(1020, request.node().extraLength());
    }

    @Test
    void alive2NameWithANulInsideIsDropped() {
        EpmdCodecException error = rejected(alive2(1000, 'M', 0, 5, 5, utf8("foo\0bar"), new byte[0]));
        assertEquals(EpmdTag.ALIVE2_REQ, error.tag());
        assertEquals("node name contains ascii 0 in ALIVE2_REQ", error.getMessage());
    }

    @Test
    void alive2NameWithATerminatingNulCountedInItsLengthIsDropped() {
        EpmdCodecException error = rejected(alive2(1000, 'M', 0, 5, 5, utf8("foobar\0"), new byte[0]));
        assertEquals("node name contains ascii 0 in ALIVE2_REQ", error.getMessage());
    }

    @Test
    void alive2NameRulesOfTheRegistryAreNotTheDecodersBusiness() {
        // too long and invalid UTF-8 names get an error reply from node_reg2(), so they must get through
        byte[] longName = new byte[600];
        java.util.Arrays.fill(longName, (byte) 'a');
        assertInstanceOf(EpmdRequest.Alive2.class, decode(alive2(1, 77, 0, 5, 5, longName, new byte[0])));
        EmbeddedChannel other = new EmbeddedChannel(new EpmdFrameDecoder(), EpmdRequestDecoder.INSTANCE);
        other.writeInbound(Unpooled.wrappedBuffer(frame(alive2(1, 77, 0, 5, 5, bytes(0xC0, 0x80), new byte[0]))));
        assertInstanceOf(EpmdRequest.Alive2.class, other.readInbound());
        assertFalse(other.finish());
    }

    // ---- PORT_PLEASE2_REQ (docs/protocol.md) ----

    @Test
    void port2NameIsTheRestOfThePayload() {
        EpmdRequest.PortPlease2 request = assertInstanceOf(EpmdRequest.PortPlease2.class,
                decodeByteByByte(concat(bytes('z'), utf8("foo"))));
        assertEquals(NodeName.of("foo"), request.name());
    }

    @Test
    void port2TrailingNulIsStripped() {
        EpmdRequest.PortPlease2 request = assertInstanceOf(EpmdRequest.PortPlease2.class,
                decode(concat(bytes('z'), utf8("bar"), bytes(0))));
        assertEquals(NodeName.of("bar"), request.name());
    }

    @Test
    void port2OnlyOneTrailingNulIsStripped() {
        assertEquals(EpmdTag.PORT_PLEASE2_REQ, rejected(concat(bytes('z'), utf8("bar"), bytes(0, 0))).tag());
    }

    @Test
    void port2WithoutANameIsDropped() {
        assertEquals(EpmdTag.PORT_PLEASE2_REQ, rejected(bytes('z')).tag());
    }

    @Test
    void port2WithOnlyANulIsDropped() {
        assertEquals(EpmdTag.PORT_PLEASE2_REQ, rejected(bytes('z', 0)).tag());
    }

    @Test
    void port2NameWithANulInsideIsDropped() {
        assertEquals(EpmdTag.PORT_PLEASE2_REQ, rejected(concat(bytes('z'), utf8("fo\0o"))).tag());
    }

    @Test
    void port2Accepts254CodePoints() {
        String name = "\uD83D\uDE00".repeat(254); // 254 four-byte code points, 1016 bytes
        EpmdRequest.PortPlease2 request = assertInstanceOf(EpmdRequest.PortPlease2.class,
                decode(concat(bytes('z'), utf8(name))));
        assertEquals(NodeName.of(name), request.name());
    }

    @Test
    void port2Drops255CodePointsLikeEpmdsOffByOne() {
        EpmdCodecException error = rejected(concat(bytes('z'), utf8("a".repeat(255))));
        assertEquals(EpmdTag.PORT_PLEASE2_REQ, error.tag());
        assertEquals("invalid node name in PORT2_REQ", error.getMessage());
    }

    @ParameterizedTest(name = "invalid UTF-8 {0}")
    @ValueSource(strings = {"C080", "FF", "80", "E080AF", "EDA080", "F4908080", "F880808080", "E282", "C3"})
    void port2InvalidUtf8IsDropped(String hex) {
        byte[] name = java.util.HexFormat.of().parseHex(hex);
        assertEquals("invalid node name in PORT2_REQ", rejected(concat(bytes('z'), utf8("a"), name)).getMessage());
    }

    // ---- NAMES, DUMP, KILL (docs/protocol.md, NAMES_REQ to KILL_REQ) ----

    @Test
    void namesDumpAndKillIgnoreTheirExtraPayloadBytes() {
        assertSame(EpmdRequest.NAMES, decode(bytes('n', 1, 2, 3)));
        EmbeddedChannel dump = new EmbeddedChannel(new EpmdFrameDecoder(), EpmdRequestDecoder.INSTANCE);
        dump.writeInbound(Unpooled.wrappedBuffer(frame(bytes('d', 'x'))));
        assertSame(EpmdRequest.DUMP, dump.readInbound());
        assertFalse(dump.finish());
        EmbeddedChannel kill = new EmbeddedChannel(new EpmdFrameDecoder(), EpmdRequestDecoder.INSTANCE);
        kill.writeInbound(Unpooled.wrappedBuffer(frame(bytes('k', 0))));
        assertSame(EpmdRequest.KILL, kill.readInbound());
        assertFalse(kill.finish());
    }

    @Test
    void namesRequestOfTheLargestLengthIsAccepted() {
        byte[] payload = new byte[3057];
        payload[0] = 'n';
        assertSame(EpmdRequest.NAMES, decode(payload));
    }

    // ---- STOP_REQ (docs/protocol.md) ----

    @Test
    void stopNameEndsAtTheFirstNul() {
        EpmdRequest.Stop request = assertInstanceOf(EpmdRequest.Stop.class,
                decode(concat(bytes('s'), utf8("foo"), bytes(0), utf8("bar"))));
        assertEquals(NodeName.of("foo"), request.name());
    }

    @Test
    void stopNameEndsAtThePayloadEndWithoutATerminator() {
        EpmdRequest.Stop request = assertInstanceOf(EpmdRequest.Stop.class, decodeByteByByte(concat(bytes('s'), utf8("xxx42"))));
        assertEquals(NodeName.of("xxx42"), request.name());
    }

    @Test
    void stopNameIsNotCheckedForUtf8() {
        EpmdRequest.Stop request = assertInstanceOf(EpmdRequest.Stop.class, decode(bytes('s', 0xFF, 0xC0)));
        assertArrayEquals(bytes(0xFF, 0xC0), request.name().bytes());
    }

    @Test
    void stopWithOnlyTheTagCarriesNoName() {
        // dropped by the handler, after the local and relaxed checks (docs/protocol.md, STOP_REQ)
        EpmdRequest.Stop request = assertInstanceOf(EpmdRequest.Stop.class, decode(bytes('s')));
        assertNull(request.name());
    }

    // ---- unknown and obsolete tags (docs/protocol.md, Unknown tags) ----

    @ParameterizedTest(name = "tag {0}")
    @ValueSource(ints = {'Q', 'a', 'p', 'Y', 'y', 'v', 'w', 0, 0xFF, 'X', 'N'})
    void unknownObsoleteAndReplyTagsAreGarbage(int tag) {
        EpmdCodecException error = rejected(bytes(tag, 'f', 'o', 'o'));
        assertEquals("got garbage ", error.getMessage());
        assertNull(error.tag());
    }

    @Test
    void aRequestIsDecodedOnlyOncePerConnection() {
        channel.writeInbound(Unpooled.wrappedBuffer(frame(bytes('n'))));
        assertSame(EpmdRequest.NAMES, channel.readInbound());
        channel.writeInbound(Unpooled.wrappedBuffer(frame(bytes('n'))));
        assertNull(channel.readInbound(), "a second packet on the connection is not a request");
        assertFalse(channel.finish());
    }
}
