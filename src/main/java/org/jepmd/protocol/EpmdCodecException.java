package org.jepmd.protocol;

import io.netty.handler.codec.DecoderException;

/**
 * A request that epmd drops without a reply. The message is epmd's own log line for the case
 * (docs/protocol.md, Log lines, level 0); {@link #tag()} names the request it belonged to, if known, so that access
 * checks can run first, as in {@code do_request()}.
 */
public final class EpmdCodecException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final transient EpmdTag tag;

    public EpmdCodecException(EpmdTag tag, String message) {
        super(message);
        this.tag = tag;
    }

    /** The request this error belongs to, or {@code null} for framing errors and unknown tags. */
    public EpmdTag tag() {
        return tag;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a client mistake, not a bug: no stack trace needed
    }
}
