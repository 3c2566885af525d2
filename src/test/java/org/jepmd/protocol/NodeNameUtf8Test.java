package org.jepmd.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link NodeName#utf8CodePoints()} accepts exactly what a strict UTF-8 decoder accepts (epmd's
 * {@code verify_utf8()}, docs/protocol.md, ALIVE2_REQ and PORT_PLEASE2_REQ) and counts code points as it does.
 */
class NodeNameUtf8Test {

    /** The reference: the JDK's decoder reporting malformed input. */
    private static int strict(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return Character.codePointCount(chars, 0, chars.length());
        } catch (CharacterCodingException e) {
            return -1;
        }
    }

    private static void same(byte[] bytes) {
        assertEquals(strict(bytes), NodeName.of(bytes).utf8CodePoints(), () -> java.util.HexFormat.of().formatHex(bytes));
    }

    /** Continuation-byte boundaries and bytes either side of them. */
    private static final int[] EDGES = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};

    @Test
    void everyTwoByteSequenceAndEveryThreeByteLeadAtBoundariesIsJudgedAsAStrictDecoderDoes() {
        for (int a = 0; a < 256; a++) {
            same(new byte[] {(byte) a});
            for (int b = 0; b < 256; b++) {
                same(new byte[] {(byte) a, (byte) b});
                if (a >= 0xE0) { // a third byte only matters after a lead of three or more
                    for (int c : EDGES) {
                        same(new byte[] {(byte) a, (byte) b, (byte) c});
                    }
                }
            }
        }
    }

    @Test
    void everyFourByteLeadWithBoundaryContinuationsIsJudgedAsAStrictDecoderDoes() {
        for (int a = 0xF0; a < 0x100; a++) {
            for (int b : EDGES) {
                for (int c : EDGES) {
                    for (int d : EDGES) {
                        same(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
                    }
                }
            }
        }
    }

    @Test
    void randomNamesMixingValidAndBrokenSequencesAgree() {
        Random random = new Random(4369);
        String[] pieces = {"a", "Z", "é", "€", "😀", "\u07ff", "\uffff", "\ud7ff"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int parts = random.nextInt(8);
            for (int p = 0; p < parts; p++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            same(bytes);
        }
    }
}
