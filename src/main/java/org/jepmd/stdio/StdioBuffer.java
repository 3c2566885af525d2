package org.jepmd.stdio;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A C stdio output buffer (glibc's {@code FILE}): the same bytes reach the descriptor in the same
 * {@code write()} calls as from epmd, given the same sequence of {@code fwrite()}/{@code printf()}
 * calls, one {@link #write(byte[], int, int)} each.
 *
 * <p>Fully buffered (a pipe or a file): bytes go out in whole buffers, the rest at {@link #flush()}
 * (C's {@code exit()}). Line buffered (a terminal): a write that fits in the buffer goes out up to
 * its last newline. The rest follows glibc's {@code _IO_new_file_xsputn()} and
 * {@code _IO_default_xsputn()}: a write that overflows the buffer fills it, sends it, sends whole
 * buffers of what is left directly, and keeps the remainder (a line buffer sends it line by line).
 */
public final class StdioBuffer extends OutputStream {
    /** glibc aligns direct writes to whole buffers only for buffers of at least this size. */
    private static final int MIN_ALIGNED_BUFFER = 128;

    private final OutputStream descriptor;
    private final boolean lineBuffered;
    private final byte[] buffer;
    /** glibc allocates the buffer at the first output; until then a write takes another path. */
    private boolean started;
    private int pending;

    /**
     * @param descriptor where whole writes go: each call is one {@code write()} (an unbuffered
     *        {@code FileOutputStream})
     * @param size the buffer size: {@code st_blksize} of the descriptor, at most {@code BUFSIZ}
     * @param lineBuffered true for a terminal
     */
    public StdioBuffer(OutputStream descriptor, int size, boolean lineBuffered) {
        this.descriptor = descriptor;
        this.buffer = new byte[size];
        this.lineBuffered = lineBuffered;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** One {@code fwrite()}. */
    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        if (length <= 0) {
            return;
        }
        int fits = 0;
        boolean mustFlush = false;
        if (started) {
            fits = buffer.length - pending;
            if (lineBuffered && fits >= length) {
                int lastNewline = lastNewline(bytes, offset, length);
                if (lastNewline >= 0) {
                    fits = lastNewline + 1;
                    mustFlush = true;
                }
            }
        }
        int copied = Math.min(fits, length);
        append(bytes, offset, copied);
        int left = length - copied;
        if (left == 0 && !mustFlush) {
            return;
        }
        // _IO_OVERFLOW(f, EOF): allocates the buffer the first time, else sends what it holds
        started = true;
        sendPending();
        int direct = left - (buffer.length >= MIN_ALIGNED_BUFFER ? left % buffer.length : 0);
        if (direct > 0) {
            descriptor.write(bytes, offset + copied, direct);
        }
        putRemainder(bytes, offset + copied + direct, left - direct);
    }

    /** What C's {@code exit()} does for the stream: sends what the buffer holds. */
    @Override
    public synchronized void flush() throws IOException {
        sendPending();
    }

    /** {@code _IO_default_xsputn()}: a full buffer copies in bulk; a line buffer takes byte by byte, sending at each newline. */
    private void putRemainder(byte[] bytes, int offset, int length) throws IOException {
        if (!lineBuffered) {
            append(bytes, offset, length); // shorter than the buffer, which is empty
            return;
        }
        for (int i = offset; i < offset + length; i++) {
            if (pending == buffer.length) {
                sendPending();
            }
            buffer[pending++] = bytes[i];
            if (bytes[i] == '\n') {
                sendPending();
            }
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        System.arraycopy(bytes, offset, buffer, pending, length);
        pending += length;
    }

    private void sendPending() throws IOException {
        if (pending > 0) {
            descriptor.write(buffer, 0, pending);
            pending = 0;
        }
    }

    /** The index (from {@code offset}) of the last newline in the range, or -1. */
    private static int lastNewline(byte[] bytes, int offset, int length) {
        for (int i = length - 1; i >= 0; i--) {
            if (bytes[offset + i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
