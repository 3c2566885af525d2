package org.jepmd.restart;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The memory file a {@code -systemd} daemon leaves in systemd's fd store as {@code jepmd-state}:
 * the magic {@code "JEPMDFS\n"}, a 32-bit format version, the 64-bit time of the stop, a 32-bit
 * count and as many 64-bit socket inodes (the connection of each live registration, in the
 * state's order, then of each connection kept after a refused ALIVE2; {@link SocketInode#NONE} for
 * one not stored; an older jepmd stored the registrations' only), then {@link StateCodec}'s bytes to
 * the end. It wraps StateCodec's format rather than changing it: {@code jepmd -restart} between
 * versions reads and writes that format alone.
 *
 * @param storedAt {@link System#nanoTime()} at the stop: HotSpot reads CLOCK_MONOTONIC on Linux,
 *                 one clock for every process since boot, which the fd store does not outlive
 * @param inodes   the connection of each live registration, then of each refused-but-kept one, by socket inode
 * @param state    StateCodec's bytes
 */
record FdStoreState(long storedAt, List<Long> inodes, byte[] state) {
    static final int VERSION = 1;
    private static final byte[] MAGIC = "JEPMDFS\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_COUNT = 10_000_000;

    FdStoreState {
        inodes = List.copyOf(inodes);
    }

    byte[] encode() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(24 + 8 * inodes.size() + state.length);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(storedAt);
            out.writeInt(inodes.size());
            for (long inode : inodes) {
                out.writeLong(inode);
            }
            out.write(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return buffer.toByteArray();
    }

    /**
     * The memory file's contents, StateCodec's bytes not yet read.
     *
     * @throws StateCodec.StateFormatException when they are not this format (another jepmd's, or cut short)
     */
    static FdStoreState decode(byte[] bytes) throws StateCodec.StateFormatException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            int version = in.readInt();
            if (!Arrays.equals(magic, MAGIC) || version != VERSION) {
                throw new StateCodec.StateFormatException("the fd store's state is not in the format this jepmd reads"
                        + " (fd-store format " + VERSION + ")");
            }
            long storedAt = in.readLong();
            int count = in.readInt();
            if (count < 0 || count > MAX_COUNT) {
                throw new StateCodec.StateFormatException("the fd store's state holds a bad count (" + count + ")");
            }
            List<Long> inodes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                inodes.add(in.readLong());
            }
            return new FdStoreState(storedAt, inodes, in.readAllBytes());
        } catch (java.io.EOFException e) {
            throw new StateCodec.StateFormatException("the fd store's state is cut short");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
