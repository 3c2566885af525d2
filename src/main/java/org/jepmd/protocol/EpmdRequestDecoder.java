package org.jepmd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.util.List;

/**
 * Turns one request packet (the payload after the length) into an {@link EpmdRequest}, dropping
 * what epmd drops with epmd's own log message ({@code do_request()}, docs/protocol.md, Requests).
 * Stateless, so one instance serves every connection.
 */
@Sharable
public final class EpmdRequestDecoder extends MessageToMessageDecoder<ByteBuf> {
    /** The shared instance. */
    public static final EpmdRequestDecoder INSTANCE = new EpmdRequestDecoder();

    // ALIVE2_REQ payload offsets (docs/protocol.md, ALIVE2_REQ)
    private static final int ALIVE2_PORT = 1;
    private static final int ALIVE2_NODE_TYPE = 3;
    private static final int ALIVE2_PROTOCOL = 4;
    private static final int ALIVE2_HIGHEST = 5;
    private static final int ALIVE2_LOWEST = 7;
    private static final int ALIVE2_NAME_LENGTH = 9;
    private static final int ALIVE2_NAME = 11;
    /** Fixed ALIVE2 fields plus the 2-byte Extra length. */
    private static final int ALIVE2_FIXED = 13;

    private EpmdRequestDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf payload, List<Object> out) {
        out.add(decode(payload));
    }

    /**
     * Decodes one payload.
     *
     * @throws EpmdCodecException for every request epmd drops without a reply
     */
    public static EpmdRequest decode(ByteBuf payload) {
        int tagByte = payload.getUnsignedByte(payload.readerIndex());
        EpmdTag tag = EpmdTag.of(tagByte);
        if (tag == null) {
            throw new EpmdCodecException(null, "got garbage ");
        }
        switch (tag) {
            case ALIVE2_REQ:
                return alive2(payload);
            case PORT_PLEASE2_REQ:
                return portPlease2(payload);
            case NAMES_REQ:
                return EpmdRequest.NAMES;
            case DUMP_REQ:
                return EpmdRequest.DUMP;
            case KILL_REQ:
                return EpmdRequest.KILL;
            case STOP_REQ:
                return stop(payload);
            case JEPMD_INFO_REQ:
                if (payload.readableBytes() != 1) {
                    throw new EpmdCodecException(null, "got garbage "); // only the bare tag is jepmd's
                }
                return EpmdRequest.JEPMD_INFO;
            default:
                // reply tags ('y', 'v', 'w') sent as requests
                throw new EpmdCodecException(null, "got garbage ");
        }
    }

    private static EpmdRequest alive2(ByteBuf payload) {
        int base = payload.readerIndex();
        int size = payload.readableBytes();
        if (size <= ALIVE2_FIXED) {
            throw new EpmdCodecException(EpmdTag.ALIVE2_REQ,
                    "packet to small for request ALIVE2_REQ (" + size + ")"); // sic, epmd's spelling
        }
        int nameLength = payload.getUnsignedShort(base + ALIVE2_NAME_LENGTH);
        if (nameLength + ALIVE2_FIXED > size) {
            throw new EpmdCodecException(EpmdTag.ALIVE2_REQ, "Node name size error in ALIVE2_REQ");
        }
        int extraLength = payload.getUnsignedShort(base + ALIVE2_NAME + nameLength);
        if (extraLength + nameLength + ALIVE2_FIXED > size) {
            throw new EpmdCodecException(EpmdTag.ALIVE2_REQ, "Extra info size error in ALIVE2_REQ");
        }
        if (payload.indexOf(base + ALIVE2_NAME, base + ALIVE2_NAME + nameLength, (byte) 0) >= 0) {
            throw new EpmdCodecException(EpmdTag.ALIVE2_REQ, "node name contains ascii 0 in ALIVE2_REQ");
        }
        byte[] name = new byte[nameLength];
        payload.getBytes(base + ALIVE2_NAME, name);
        byte[] extra = new byte[extraLength];
        payload.getBytes(base + ALIVE2_FIXED + nameLength, extra);
        // bytes after Extra are accepted and ignored, as epmd does
        return new EpmdRequest.Alive2(new NodeInfo(NodeName.wrap(name),
                payload.getUnsignedShort(base + ALIVE2_PORT),
                payload.getUnsignedByte(base + ALIVE2_NODE_TYPE),
                payload.getUnsignedByte(base + ALIVE2_PROTOCOL),
                payload.getUnsignedShort(base + ALIVE2_HIGHEST),
                payload.getUnsignedShort(base + ALIVE2_LOWEST),
                extra));
    }

    private static EpmdRequest portPlease2(ByteBuf payload) {
        int base = payload.readerIndex();
        int size = payload.readableBytes();
        if (payload.getByte(base + size - 1) == 0) {
            size--; // R3-era clients NUL-terminate the name
        }
        if (size <= 1) {
            throw new EpmdCodecException(EpmdTag.PORT_PLEASE2_REQ,
                    "packet too small for request PORT2_REQ (" + size + ")");
        }
        if (payload.indexOf(base + 1, base + size, (byte) 0) >= 0) {
            throw new EpmdCodecException(EpmdTag.PORT_PLEASE2_REQ, "node name contains ascii 0 in PORT2_REQ");
        }
        byte[] bytes = new byte[size - 1];
        payload.getBytes(base + 1, bytes);
        NodeName name = NodeName.wrap(bytes);
        // epmd's verify_utf8() counts the terminating NUL too: at most 254 code points pass
        // (docs/protocol.md, PORT_PLEASE2_REQ)
        int codePoints = name.utf8CodePoints();
        if (codePoints < 0 || codePoints > Epmd.MAX_LOOKUP_CODE_POINTS) {
            throw new EpmdCodecException(EpmdTag.PORT_PLEASE2_REQ, "invalid node name in PORT2_REQ");
        }
        return new EpmdRequest.PortPlease2(name);
    }

    private static EpmdRequest stop(ByteBuf payload) {
        int base = payload.readerIndex();
        int size = payload.readableBytes();
        if (size <= 1) {
            return new EpmdRequest.Stop(null);
        }
        // the name is a C string: it ends at the first NUL or at the end of the payload
        int nul = payload.indexOf(base + 1, base + size, (byte) 0);
        int end = nul >= 0 ? nul : base + size;
        byte[] name = new byte[end - base - 1];
        payload.getBytes(base + 1, name);
        return new EpmdRequest.Stop(NodeName.wrap(name));
    }
}
