package org.jepmd.stdio;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link StdioBuffer} against glibc: the write() sizes below are what strace showed for Debian's
 * {@code epmd -names} (glibc 2.36) on a pipe and on a pseudo-terminal, with the same fwrite() sizes.
 */
class StdioBufferTest {
    /** epmd's fwrite()s for -names on 120 nodes of 200-byte names: the header, then its 3060-byte reads. */
    private static final int[] NAMES_FWRITES = {46, 3060, 3060, 3060, 3060, 3060, 3060, 3060, 3060, 1920};

    /** Records each write() the buffer makes. */
    private static final class Descriptor extends OutputStream {
        final List<Integer> writes = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(len);
            bytes.write(b, off, len);
        }
    }

    /** The -names output: the header, then 120 lines of 220 bytes. */
    private static byte[] namesListing() {
        StringBuilder text = new StringBuilder("epmd: up and running on port 14376 with data:\n");
        for (int i = 0; i < 120; i++) {
            text.append("name ").append(String.format("n%03d_", i)).append("x".repeat(195)).append(" at port 45678\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Descriptor feed(StdioBuffer buffer, Descriptor descriptor, byte[] data, int... fwrites)
            throws IOException {
        int offset = 0;
        for (int size : fwrites) {
            buffer.write(data, offset, size);
            offset += size;
        }
        assertEquals(data.length, offset);
        buffer.flush();
        assertEquals(new String(data, StandardCharsets.ISO_8859_1),
                descriptor.bytes.toString(StandardCharsets.ISO_8859_1));
        return descriptor;
    }

    /** {@code text} in {@code fwrites} pieces: nothing written until flush(), then one write of all of it. */
    private static void assertHeldUntilExit(int size, boolean lineBuffered, String text, int... fwrites)
            throws IOException {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        Descriptor descriptor = new Descriptor();
        StdioBuffer held = new StdioBuffer(descriptor, size, lineBuffered);
        int offset = 0;
        for (int piece : fwrites) {
            held.write(data, offset, piece);
            offset += piece;
        }
        assertEquals(data.length, offset);
        assertEquals(List.of(), descriptor.writes);
        held.flush();
        assertEquals(List.of(data.length), descriptor.writes);
    }

    @Test
    void aPipeGetsWholeBuffersThenTheRestAtExit() throws IOException {
        Descriptor pipe = new Descriptor();
        feed(new StdioBuffer(pipe, 4096, false), pipe, namesListing(), NAMES_FWRITES);
        assertEquals(List.of(4096, 4096, 4096, 4096, 4096, 4096, 1870), pipe.writes);
    }

    @Test
    void aSmallOutputIsOneWriteAtExit() throws IOException {
        assertHeldUntilExit(4096, false, "epmd: up and running on port 4369 with data:\nname a at port 1\n", 45, 17);
    }

    @Test
    void aTerminalGetsLinesAndWholeBuffersAsGlibcCutsThem() throws IOException {
        Descriptor pty = new Descriptor();
        feed(new StdioBuffer(pty, 1024, true), pty, namesListing(), NAMES_FWRITES);
        List<Integer> expected = new ArrayList<>(List.of(46, 1024, 1024, 152, 220, 220, 220));
        for (int i = 0; i < 7; i++) {
            expected.addAll(List.of(1024, 2048, 8));
        }
        expected.addAll(List.of(1024, 76, 220, 220, 220, 220));
        assertEquals(expected, pty.writes);
    }

    @Test
    void aTerminalKeepsAnUnfinishedLineUntilExit() throws IOException {
        assertHeldUntilExit(1024, true, "epmd: Name too long!", 20);
    }

    @Test
    void aFirstWriteLargerThanTheBufferGoesOutInWholeBuffersAtOnce() throws IOException {
        Descriptor pipe = new Descriptor();
        byte[] data = new byte[10_000];
        feed(new StdioBuffer(pipe, 4096, false), pipe, data, 10_000);
        assertEquals(List.of(8192, 1808), pipe.writes);
    }

    @Test
    void aLargeWriteFillsTheBufferThenGoesOutInWholeBuffers() throws IOException {
        Descriptor pipe = new Descriptor();
        feed(new StdioBuffer(pipe, 4096, false), pipe, new byte[10_400], 100, 10_000, 300);
        assertEquals(List.of(4096, 4096, 2208), pipe.writes);
    }
}
