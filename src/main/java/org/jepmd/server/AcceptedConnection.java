package org.jepmd.server;

import java.net.SocketAddress;

/**
 * A lookup's connection answered at accept ({@link FastLookup}), as {@link RequestLogic} sees it: a
 * bare descriptor that is closed right after its reply and never owns a registration.
 */
record AcceptedConnection(SocketAddress peer, boolean isLocal, int fd) implements RequestLogic.Connection {

    @Override
    public void close() {
        throw new UnsupportedOperationException("a lookup's connection owns no registration to close");
    }

    @Override
    public void whenClosed(Runnable action) {
        throw new UnsupportedOperationException("a lookup's connection owns no registration to wait for");
    }
}
