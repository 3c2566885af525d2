package org.jepmd.server;

import org.jepmd.protocol.EpmdTag;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.RefusalReason;
import org.jepmd.registry.RegisteredNode;

import java.net.SocketAddress;

/**
 * Observes what the daemon does, for metrics and the audit log. Every method has an empty default,
 * and every call comes from an event-loop thread: implementations must be thread-safe and quick.
 */
public interface EpmdEvents {

    /** Observes nothing. */
    EpmdEvents NONE = new EpmdEvents() {
    };

    /** Why a registration ended. */
    enum UnregisterCause {
        /** the node closed its registration connection, or it failed */
        CONNECTION_CLOSED("connection_closed"),
        /** the node sent bytes on its registration connection (docs/protocol.md, ALIVE2_REQ) */
        UNEXPECTED_DATA("unexpected_data"),
        /** a STOP_REQ named it */
        STOPPED("stopped"),
        /** the ALIVE2 reply could not be written */
        REPLY_FAILED("reply_failed");

        private final String label;

        UnregisterCause(String label) {
            this.label = label;
        }

        /** A short snake_case label for metrics and audit lines. */
        public String label() {
            return label;
        }
    }

    default void connectionOpened(SocketAddress peer, boolean local) {
    }

    default void connectionClosed(SocketAddress peer) {
    }

    /** A connection was closed at its packet deadline. */
    default void timedOut(SocketAddress peer) {
    }

    /** A whole request arrived. */
    default void request(EpmdTag tag, SocketAddress peer) {
    }

    /** A request was dropped without a reply; {@code message} is epmd's log line. */
    default void dropped(EpmdTag tag, String message, SocketAddress peer) {
    }

    /** A local-only request came from a non-local peer and was dropped. */
    default void nonLocal(EpmdTag tag, SocketAddress peer) {
    }

    default void registered(RegisteredNode node, SocketAddress peer) {
    }

    default void refused(NodeInfo node, RefusalReason reason, SocketAddress peer) {
    }

    default void unregistered(RegisteredNode node, UnregisterCause cause) {
    }

    /** A PORT_PLEASE2 lookup was answered. */
    default void lookup(NodeInfo found, boolean hit, SocketAddress peer) {
    }

    /** A KILL_REQ was answered: {@code accepted} means the daemon stops. */
    default void kill(boolean accepted, SocketAddress peer) {
    }

    /** A STOP_REQ was answered. */
    default void stop(String name, boolean found, SocketAddress peer) {
    }

    /** A new connection was closed at once because a connection limit was reached ({@code "total"}, {@code "per_peer"}). */
    default void connectionRefused(SocketAddress peer, String limit) {
    }

    /** A NAMES or PORT_PLEASE2 came from a peer outside {@code -allow_query} and was closed unanswered. */
    default void queryDenied(EpmdTag tag, SocketAddress peer) {
    }

    /**
     * An HTTP request for the registrations ({@code GET /nodes}) came from a peer outside
     * {@code -allow_query} and was refused.
     *
     * @param request the method and path, e.g. {@code "GET /nodes"}
     */
    default void httpQueryDenied(String request, SocketAddress peer) {
    }

    /** accept() failed on a listening socket (e.g. out of descriptors); the daemon keeps running. */
    default void acceptFailed() {
    }

    default void bytesIn(long count) {
    }

    default void bytesOut(long count) {
    }
}
