package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.RegisteredNode;

import java.io.IOException;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * A connection after its ALIVE2 reply, accepted or refused (epmd's "keep"), whatever carries it (a
 * {@link KeptRegistrationHandler} in a channel's pipeline, or a {@link RegistrationWatcher} on the
 * epoll loop): it only waits for its close or a stray byte, either of which ends the registration it
 * owns (docs/protocol.md, ALIVE2_REQ). Every log line and event of that wait is here.
 */
final class KeptRegistration {
    private final ServerContext server;
    private final RequestLogic.Connection connection;
    private UnregisterCause closeCause = UnregisterCause.CONNECTION_CLOSED;

    /** For {@code connection}, which owns {@code owned} (null if none): its release follows the connection's close. */
    KeptRegistration(ServerContext server, RequestLogic logic, RequestLogic.Connection connection, RegisteredNode owned) {
        this.server = server;
        this.connection = connection;
        if (owned != null) {
            connection.whenClosed(() -> logic.released(owned, connection, closeCause));
        }
    }

    ServerContext server() {
        return server;
    }

    RequestLogic.Connection connection() {
        return connection;
    }

    /** The ALIVE2 reply for {@code name} could not be written. */
    void replyFailed(NodeName name) {
        LOG.info("** failed to send ALIVE2_RESP for \"{}\"", name);
        end(UnregisterCause.REPLY_FAILED);
    }

    /** An EOF came while the ALIVE2 reply was pending: as a stray byte, it ends the registration. */
    void unexpectedData(int count) {
        unexpectedData(count, null);
    }

    /** {@code count} bytes ({@code bytes}, dumped at {@code -d -d}) came after the request: epmd ends the registration. */
    void unexpectedData(int count, ByteBuf bytes) {
        LOG.info("got more than expected on ALIVE socket {} ({})", connection.fd(), count);
        if (bytes != null) {
            EpmdLog.dump(bytes); // after the message, as epmd's do_read()
        }
        end(UnregisterCause.UNEXPECTED_DATA);
    }

    private void end(UnregisterCause cause) {
        closeCause = cause;
        connection.close();
    }

    /** Reading failed with {@code cause}: the connection closes, and with it the registration. */
    void failed(Throwable cause) {
        if (!server.memory().isRefusal(cause)) {
            if (cause instanceof IOException) {
                LOG.info("error on ALIVE socket {} ({})", connection.fd(), cause.getMessage());
            } else {
                LOG.warn("unexpected error on file descriptor {}", connection.fd(), cause);
            }
        }
        connection.close();
    }

    /** The connection is closed, after its close actions (the registration's end among them). */
    void closed() {
        if (LOG.isDebugEnabled()) {
            LOG.debug("closing connection on file descriptor {}", connection.fd());
        }
        server.events().connectionClosed(connection.peer());
    }
}
