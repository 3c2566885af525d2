package org.jepmd.server;

import org.jepmd.protocol.EpmdCodecException;
import org.jepmd.protocol.EpmdRequest;
import org.jepmd.protocol.EpmdTag;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.NodeRegistry;
import org.jepmd.registry.RefusalReason;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.Registration;
import org.jepmd.registry.UnusedNode;
import org.jepmd.server.UnregisterCause;

import java.net.SocketAddress;
import java.util.List;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * What epmd's {@code do_request()} decides, without sockets: for each request, the reply and what
 * becomes of the connection (docs/protocol.md, Requests). The connection handler only carries
 * bytes and time; every rule, log line and event of a request is here, in one method per request.
 */
final class RequestLogic {

    /** The connection a request came on, as {@code do_request()} sees it. */
    interface Connection {
        SocketAddress peer();

        /** The local-peer check's answer (docs/protocol.md, Local peers). */
        boolean isLocal();

        /** The descriptor number DUMP shows. */
        int fd();

        /** Closes the connection; the registration it owns, if any, ends. */
        void close();

        /** Runs {@code action} once the connection is closed, after the actions added before it. */
        void whenClosed(Runnable action);
    }

    /** What becomes of the connection once its reply is written. */
    enum Fate {
        CLOSE,
        /** The connection stays open after an ALIVE2 reply, accepted or refused (epmd's "keep"). */
        KEEP,
        /** KILL_REQ accepted: close, then stop the daemon. */
        STOP_DAEMON
    }

    /** The decision on one request. */
    sealed interface Answer {
        /** Write {@code reply}, then {@code fate}. */
        record Send(Reply reply, Fate fate) implements Answer {
        }

        /** Close the connection without a reply, as epmd does with every request it drops. */
        record CloseUnanswered() implements Answer {
        }

        /**
         * The name is held by {@code holder}, which may be closing already (erlang/otp#11083): decide
         * again with {@link #registerAfterGrace} once it has closed or the grace period is over.
         */
        record AwaitHolder(Connection holder, NodeInfo node) implements Answer {
        }

        CloseUnanswered CLOSE_UNANSWERED = new CloseUnanswered();
    }

    /** The replies, described; {@link ReplySources} turns them into bytes. */
    sealed interface Reply {
        /** epmd's log line once the reply is written, or null for none. */
        String sentLine();

        /** ALIVE2_RESP or ALIVE2_X_RESP; {@code registered} is null for a refusal. */
        record Alive2(NodeInfo node, RegisteredNode registered) implements Reply {
            @Override
            public String sentLine() {
                return "** sent ALIVE2_RESP for \"" + node.name() + "\"";
            }
        }

        /** PORT2_RESP; {@code found} is null for an unknown name. */
        record Port2(NodeName name, NodeInfo found) implements Reply {
            @Override
            public String sentLine() {
                return "** sent PORT2_RESP (" + (found == null ? "error" : "ok") + ") for \"" + name + "\"";
            }
        }

        record Names() implements Reply {
            @Override
            public String sentLine() {
                return "** sent NAMES_RESP";
            }
        }

        record Dump() implements Reply {
            @Override
            public String sentLine() {
                return "** sent DUMP_RESP";
            }
        }

        record Kill(boolean accepted) implements Reply {
            @Override
            public String sentLine() {
                return accepted ? "epmd killed" : null;
            }
        }

        /** STOP_RESP; for an unknown name epmd writes NOEXIST and then STOPPED as well. */
        record Stop(boolean found) implements Reply {
            @Override
            public String sentLine() {
                return "** sent STOP_RESP STOPPED";
            }
        }

        record JepmdInfo() implements Reply {
            @Override
            public String sentLine() {
                return "** sent JEPMD_INFO_RESP";
            }
        }
    }

    private final ServerConfig config;
    private final NodeRegistry registry;
    private final EpmdEvents events;

    RequestLogic(ServerConfig config, NodeRegistry registry, EpmdEvents events) {
        this.config = config;
        this.registry = registry;
        this.events = events;
    }

    /** {@code do_request()}: one whole, well-formed request. */
    Answer handle(EpmdRequest request, Connection from) {
        events.request(request.tag(), from.peer());
        if (isQuery(request) && !config.queryAccess().allows(from.peer())) {
            LOG.warn("{} from address not allowed to query ({})", request.tag().name(), from.peer());
            events.queryDenied(request.tag(), from.peer());
            return Answer.CLOSE_UNANSWERED;
        }
        if (request instanceof EpmdRequest.Alive2 alive2) {
            return alive2(alive2.node(), from);
        } else if (request instanceof EpmdRequest.PortPlease2 lookup) {
            return portPlease2(lookup.name(), from);
        } else if (request instanceof EpmdRequest.Names) {
            return names();
        } else if (request instanceof EpmdRequest.Dump) {
            return dump(from);
        } else if (request instanceof EpmdRequest.Kill) {
            return kill(from);
        } else if (request instanceof EpmdRequest.Stop stop) {
            return stop(stop.name(), from);
        } else if (request instanceof EpmdRequest.JepmdInfo) {
            return jepmdInfo(from);
        }
        throw new AssertionError("unhandled request " + request);
    }

    /** A packet {@code do_request()} drops: a local-only tag from elsewhere is refused as such first. */
    Answer rejected(EpmdCodecException rejected, Connection from) {
        EpmdTag tag = rejected.tag();
        if (tag != null && isLocalOnly(tag) && !from.isLocal()) {
            return nonLocal(tag, from);
        }
        if (tag == EpmdTag.ALIVE2_REQ) {
            LOG.info("** got ALIVE2_REQ");
        }
        return drop(tag, rejected.getMessage(), from);
    }

    // ---- ALIVE2_REQ ----

    private Answer alive2(NodeInfo node, Connection from) {
        LOG.info("** got ALIVE2_REQ");
        if (!from.isLocal()) {
            return nonLocal(EpmdTag.ALIVE2_REQ, from);
        }
        return register(node, from, true);
    }

    /** The second decision on an ALIVE2 that waited for the name's holder ({@link Answer.AwaitHolder}). */
    Answer registerAfterGrace(NodeInfo node, Connection from) {
        return register(node, from, false);
    }

    private Answer register(NodeInfo node, Connection from, boolean mayWait) {
        List<UnusedNode> unusedBefore = LOG.isInfoEnabled() ? registry.unused() : List.of();
        Registration result = registry.register(node, from, from.fd(), from.peer());
        if (result instanceof Registration.Refused refused) {
            Connection holder = mayWait ? closingHolder(refused, from) : null;
            if (holder != null) {
                return new Answer.AwaitHolder(holder, node);
            }
            LOG.warn("{}", refused.message());
            events.refused(node, refused.reason(), from.peer());
            return new Answer.Send(new Reply.Alive2(node, null), Fate.KEEP);
        }
        RegisteredNode registered = ((Registration.Registered) result).node();
        if (LOG.isInfoEnabled()) {
            // node_reg2(): a name from the unused list is reused; a new one reads the clock for its creation
            if (unusedBefore.stream().anyMatch(unused -> unused.name().equals(node.name()))) {
                LOG.info("reusing slot with same name '{}'", node.name());
            } else if (unusedBefore.size() <= config.maxUnusedNames()) {
                EpmdLog.time();
            }
            LOG.info("registering '{}:{}', port {}", node.name(), registered.creationFor(node.highestVersion()),
                    node.port());
            LOG.info("type {} proto {} highvsn {} lowvsn {}", node.nodeType(), node.protocol(),
                    node.highestVersion(), node.lowestVersion());
            EpmdLog.names(registry);
        }
        events.registered(registered, from.peer());
        return new Answer.Send(new Reply.Alive2(node, registered), Fate.KEEP);
    }

    /** The holder worth waiting for: another connection, when a takeover grace is configured. */
    private Connection closingHolder(Registration.Refused refused, Connection from) {
        if (refused.reason() != RefusalReason.NAME_OCCUPIED || config.takeoverGrace().isZero()
                || config.takeoverGrace().isNegative()
                || !(refused.holder().owner() instanceof Connection holder) || holder == from) {
            return null;
        }
        return holder;
    }

    /** The registration connection {@code owner} has closed, for {@code cause}. */
    void released(RegisteredNode node, Connection owner, UnregisterCause cause) {
        if (registry.unregister(node.name(), owner) != null) {
            logUnregistering(node);
            events.unregistered(node, cause);
        }
    }

    private void logUnregistering(RegisteredNode node) {
        if (LOG.isInfoEnabled()) {
            LOG.info("unregistering '{}:{}', port {}", node.name(),
                    node.creationFor(node.info().highestVersion()), node.info().port());
            EpmdLog.names(registry);
        }
    }

    // ---- PORT_PLEASE2_REQ, NAMES_REQ, DUMP_REQ ----

    private Answer portPlease2(NodeName name, Connection from) {
        LOG.info("** got PORT2_REQ");
        RegisteredNode node = registry.lookup(name);
        NodeInfo found = node == null ? null : node.info();
        events.lookup(found, found != null, from.peer());
        return new Answer.Send(new Reply.Port2(name, found), Fate.CLOSE);
    }

    private Answer names() {
        LOG.info("** got NAMES_REQ");
        return new Answer.Send(new Reply.Names(), Fate.CLOSE);
    }

    private Answer dump(Connection from) {
        LOG.info("** got DUMP_REQ");
        if (!from.isLocal()) {
            return nonLocal(EpmdTag.DUMP_REQ, from);
        }
        return new Answer.Send(new Reply.Dump(), Fate.CLOSE);
    }

    // ---- KILL_REQ, STOP_REQ ----

    private Answer kill(Connection from) {
        if (!from.isLocal()) {
            return nonLocal(EpmdTag.KILL_REQ, from);
        }
        LOG.info("** got KILL_REQ");
        if (!config.relaxedCommandCheck() && !registry.isEmpty()) {
            LOG.warn("Disallowed KILL_REQ, live nodes");
            events.kill(false, from.peer());
            return new Answer.Send(new Reply.Kill(false), Fate.CLOSE);
        }
        events.kill(true, from.peer());
        return new Answer.Send(new Reply.Kill(true), Fate.STOP_DAEMON);
    }

    private Answer stop(NodeName name, Connection from) {
        LOG.info("** got STOP_REQ");
        if (!from.isLocal()) {
            return nonLocal(EpmdTag.STOP_REQ, from);
        }
        if (!config.relaxedCommandCheck()) {
            return drop(EpmdTag.STOP_REQ, "Disallowed STOP_REQ, no relaxed_command_check", from);
        }
        if (name == null) {
            return drop(EpmdTag.STOP_REQ, "packet too small for request STOP_REQ (1)", from);
        }
        RegisteredNode stopped = registry.stop(name);
        events.stop(name.toString(), stopped != null, from.peer());
        if (stopped == null) {
            LOG.info("trying to unregister node with unknown name {}", name);
            return new Answer.Send(new Reply.Stop(false), Fate.CLOSE);
        }
        logUnregistering(stopped);
        events.unregistered(stopped, UnregisterCause.STOPPED);
        ((Connection) stopped.owner()).close();
        LOG.info("epmd connection stopped");
        return new Answer.Send(new Reply.Stop(true), Fate.CLOSE);
    }

    // ---- JEPMD_INFO_REQ: jepmd's own ----

    private Answer jepmdInfo(Connection from) {
        if (!from.isLocal()) {
            return drop(null, "got garbage ", from); // to other peers, what epmd does with an unknown tag
        }
        LOG.info("** got JEPMD_INFO_REQ");
        return new Answer.Send(new Reply.JepmdInfo(), Fate.CLOSE);
    }

    // ---- shared steps ----

    /** The local-peer gate of ALIVE2, DUMP, KILL and STOP said no (docs/protocol.md, Local peers). */
    private Answer nonLocal(EpmdTag tag, Connection from) {
        LOG.warn("{} from non local address", tag.name());
        events.nonLocal(tag, from.peer());
        return Answer.CLOSE_UNANSWERED;
    }

    private Answer drop(EpmdTag tag, String message, Connection from) {
        LOG.warn("{}", message);
        events.dropped(tag, message, from.peer());
        return Answer.CLOSE_UNANSWERED;
    }

    private static boolean isQuery(EpmdRequest request) {
        return request instanceof EpmdRequest.Names || request instanceof EpmdRequest.PortPlease2;
    }

    private static boolean isLocalOnly(EpmdTag tag) {
        return tag == EpmdTag.ALIVE2_REQ || tag == EpmdTag.DUMP_REQ
                || tag == EpmdTag.KILL_REQ || tag == EpmdTag.STOP_REQ;
    }
}
