package org.jepmd.server;

import org.jepmd.protocol.EpmdTag;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.RefusalReason;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.server.UnregisterCause;

import java.net.SocketAddress;

/** Something the daemon did, as its observers ({@link EpmdObserver}) see it. */
public sealed interface EpmdEvent {

    record ConnectionOpened(SocketAddress peer, boolean local) implements EpmdEvent {
    }

    record ConnectionClosed(SocketAddress peer) implements EpmdEvent {
    }

    /** A connection was closed at its packet deadline. */
    record TimedOut(SocketAddress peer) implements EpmdEvent {
    }

    /** A whole request arrived. */
    record Request(EpmdTag tag, SocketAddress peer) implements EpmdEvent {
    }

    /** A request was dropped without a reply; {@code message} is epmd's log line. */
    record Dropped(EpmdTag tag, String message, SocketAddress peer) implements EpmdEvent {
    }

    /** A local-only request came from a non-local peer and was dropped. */
    record NonLocal(EpmdTag tag, SocketAddress peer) implements EpmdEvent {
    }

    record Registered(RegisteredNode node, SocketAddress peer) implements EpmdEvent {
    }

    record Refused(NodeInfo node, RefusalReason reason, SocketAddress peer) implements EpmdEvent {
    }

    record Unregistered(RegisteredNode node, UnregisterCause cause) implements EpmdEvent {
    }

    /** A PORT_PLEASE2 lookup was answered; {@code found} is null on a miss. */
    record Lookup(NodeInfo found, boolean hit, SocketAddress peer) implements EpmdEvent {
    }

    /** A KILL_REQ was answered: {@code accepted} means the daemon stops. */
    record Kill(boolean accepted, SocketAddress peer) implements EpmdEvent {
    }

    /** A STOP_REQ was answered. */
    record Stop(String name, boolean found, SocketAddress peer) implements EpmdEvent {
    }

    /** A new connection was closed at once because a connection limit was reached ({@code "total"}, {@code "per_peer"}). */
    record ConnectionRefused(SocketAddress peer, String limit) implements EpmdEvent {
    }

    /** A NAMES or PORT_PLEASE2 came from a peer outside {@code -allow_query} and was closed unanswered. */
    record QueryDenied(EpmdTag tag, SocketAddress peer) implements EpmdEvent {
    }

    /**
     * An HTTP request for the registrations ({@code GET /nodes}) came from a peer outside
     * {@code -allow_query} and was refused.
     *
     * @param request the method and path, e.g. {@code "GET /nodes"}
     */
    record HttpQueryDenied(String request, SocketAddress peer) implements EpmdEvent {
    }

    /** accept() failed on a listening socket (e.g. out of descriptors); the daemon keeps running. */
    record AcceptFailed() implements EpmdEvent {
    }

    record BytesIn(long count) implements EpmdEvent {
    }

    record BytesOut(long count) implements EpmdEvent {
    }
}
