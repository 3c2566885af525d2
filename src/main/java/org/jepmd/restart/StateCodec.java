package org.jepmd.restart;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.UnusedNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hand-over state's byte format: the magic {@code "JEPMDRS\n"}, a 32-bit format version, then
 * the fields of {@link RegistryState}, big-endian, byte strings as a 32-bit length and the bytes.
 * A reader takes every version up to its own {@link #VERSION} and refuses a newer one, so a newer
 * jepmd takes over from an older one and never the reverse. Version 2 adds, at the end, the count of
 * connections kept after a refused ALIVE2 (none in version 1).
 */
public final class StateCodec {
    /** The format this jepmd writes. */
    public static final int VERSION = 2;
    private static final byte[] MAGIC = "JEPMDRS\n".getBytes(StandardCharsets.US_ASCII);
    /** More than any real table (100,000 nodes with 1 KiB names and extras stay far below). */
    private static final int MAX_COUNT = 10_000_000;
    private static final int MAX_BYTES = 64 * 1024;

    private StateCodec() {
    }

    /** The state as bytes, in format {@link #VERSION}. */
    public static byte[] encode(RegistryState state) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256 + 128 * state.live().size());
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(state.pid());
            out.writeInt(state.arguments().size());
            for (String argument : state.arguments()) {
                writeBytes(out, argument.getBytes(StandardCharsets.UTF_8));
            }
            out.writeInt(state.live().size());
            for (RegistryState.LiveNode node : state.live()) {
                NodeInfo info = node.info();
                writeBytes(out, info.name().bytes());
                out.writeInt(info.port());
                out.writeInt(info.nodeType());
                out.writeInt(info.protocol());
                out.writeInt(info.highestVersion());
                out.writeInt(info.lowestVersion());
                writeBytes(out, info.extra());
                out.writeLong(node.creation());
                out.writeLong(node.registeredAt());
            }
            out.writeInt(state.unused().size());
            for (UnusedNode unused : state.unused()) {
                writeBytes(out, unused.name().bytes());
                out.writeInt(unused.port());
                out.writeInt(unused.fd());
                out.writeLong(unused.creation());
            }
            out.writeInt(state.refused());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return buffer.toByteArray();
    }

    /**
     * The state these bytes hold.
     *
     * @throws StateFormatException with a message for the operator: not a state, a newer format, or cut short
     */
    public static RegistryState decode(byte[] bytes) throws StateFormatException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new StateFormatException("the running daemon sent no jepmd restart state");
            }
            int version = in.readInt();
            if (version < 1 || version > VERSION) {
                throw new StateFormatException("the running daemon's state format " + Integer.toUnsignedString(version)
                        + " is unknown to this jepmd (it reads 1 to " + VERSION + ")");
            }
            long pid = in.readLong();
            List<String> arguments = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                arguments.add(new String(readBytes(in), StandardCharsets.UTF_8));
            }
            List<RegistryState.LiveNode> live = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                NodeName name = NodeName.of(readBytes(in));
                int port = in.readInt();
                int nodeType = in.readInt();
                int protocol = in.readInt();
                int highest = in.readInt();
                int lowest = in.readInt();
                byte[] extra = readBytes(in);
                long creation = in.readLong();
                long registeredAt = in.readLong();
                live.add(new RegistryState.LiveNode(new NodeInfo(name, port, nodeType, protocol, highest, lowest, extra),
                        creation, registeredAt));
            }
            List<UnusedNode> unused = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                unused.add(new UnusedNode(NodeName.of(readBytes(in)), in.readInt(), in.readInt(), in.readLong()));
            }
            int refused = version >= 2 ? count(in) : 0;
            if (in.read() != -1) {
                throw new StateFormatException("the running daemon's state has bytes after its end");
            }
            return new RegistryState(pid, arguments, live, unused, refused);
        } catch (EOFException e) {
            throw new StateFormatException("the running daemon's state is cut short");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static int count(DataInputStream in) throws IOException, StateFormatException {
        int count = in.readInt();
        if (count < 0 || count > MAX_COUNT) {
            throw new StateFormatException("the running daemon's state holds a bad count (" + count + ")");
        }
        return count;
    }

    private static byte[] readBytes(DataInputStream in) throws IOException, StateFormatException {
        int length = in.readInt();
        if (length < 0 || length > MAX_BYTES) {
            throw new StateFormatException("the running daemon's state holds a bad length (" + length + ")");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** The bytes are not a state this jepmd can read. */
    public static final class StateFormatException extends Exception {
        public StateFormatException(String message) {
            super(message);
        }
    }
}
