package org.jepmd.audit;

import org.jepmd.net.Peers;
import org.jepmd.protocol.EpmdTag;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.RefusalReason;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.server.EpmdEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.net.SocketAddress;

/**
 * The audit trail: one logfmt line per security-relevant event on the Logback logger
 * {@value #LOGGER}, with the peer address. Installed only when enabled ({@code -audit}).
 * <table>
 *   <caption>Events</caption>
 *   <tr><td>{@code register}</td><td>INFO</td><td>name, port, type, protocol, versions, creation, peer</td></tr>
 *   <tr><td>{@code unregister}</td><td>INFO</td><td>name, port, cause, peer of the registration</td></tr>
 *   <tr><td>{@code refuse}</td><td>WARN</td><td>name, port, reason, peer</td></tr>
 *   <tr><td>{@code kill}</td><td>INFO / WARN when refused</td><td>result, peer</td></tr>
 *   <tr><td>{@code stop}</td><td>INFO</td><td>name, result, peer</td></tr>
 *   <tr><td>{@code non_local}</td><td>WARN</td><td>request, peer</td></tr>
 *   <tr><td>{@code timeout}</td><td>WARN</td><td>peer</td></tr>
 *   <tr><td>{@code drop}</td><td>WARN</td><td>request, reason (epmd's log message), peer</td></tr>
 *   <tr><td>{@code query_denied}</td><td>WARN</td><td>request ({@code NAMES_REQ}, {@code PORT_PLEASE2_REQ},
 *       {@code "GET /nodes"}), peer</td></tr>
 * </table>
 */
public final class AuditLog implements EpmdEvents {
    /** The logger name. */
    public static final String LOGGER = "jepmd.audit";

    private final Logger log;

    public AuditLog() {
        this(LoggerFactory.getLogger(LOGGER));
    }

    AuditLog(Logger log) {
        this.log = log;
    }

    private void write(Level level, AuditLine line) {
        log.atLevel(level).log(line.toString());
    }

    private static String request(EpmdTag tag) {
        return tag == null ? "unknown" : tag.name();
    }

    @Override
    public void registered(RegisteredNode node, SocketAddress peer) {
        NodeInfo info = node.info();
        write(Level.INFO, new AuditLine("register").add("name", info.name()).add("port", info.port())
                .add("type", info.nodeType()).add("proto", info.protocol())
                .add("highvsn", info.highestVersion()).add("lowvsn", info.lowestVersion())
                .add("creation", node.creationFor(info.highestVersion())).add("peer", Peers.text(peer)));
    }

    @Override
    public void unregistered(RegisteredNode node, UnregisterCause cause) {
        write(Level.INFO, new AuditLine("unregister").add("name", node.name()).add("port", node.info().port())
                .add("cause", cause.label()).add("peer", Peers.text(node.peer())));
    }

    @Override
    public void refused(NodeInfo node, RefusalReason reason, SocketAddress peer) {
        write(Level.WARN, new AuditLine("refuse").add("name", node.name()).add("port", node.port())
                .add("reason", reason.label()).add("peer", Peers.text(peer)));
    }

    @Override
    public void kill(boolean accepted, SocketAddress peer) {
        write(accepted ? Level.INFO : Level.WARN, new AuditLine("kill")
                .add("result", accepted ? "accepted" : "refused_live_nodes").add("peer", Peers.text(peer)));
    }

    @Override
    public void stop(String name, boolean found, SocketAddress peer) {
        write(Level.INFO, new AuditLine("stop").add("name", name).add("result", found ? "stopped" : "noexist")
                .add("peer", Peers.text(peer)));
    }

    @Override
    public void nonLocal(EpmdTag tag, SocketAddress peer) {
        write(Level.WARN, new AuditLine("non_local").add("request", request(tag)).add("peer", Peers.text(peer)));
    }

    @Override
    public void timedOut(SocketAddress peer) {
        write(Level.WARN, new AuditLine("timeout").add("peer", Peers.text(peer)));
    }

    @Override
    public void dropped(EpmdTag tag, String message, SocketAddress peer) {
        write(Level.WARN, new AuditLine("drop").add("request", request(tag)).add("reason", message)
                .add("peer", Peers.text(peer)));
    }

    @Override
    public void queryDenied(EpmdTag tag, SocketAddress peer) {
        write(Level.WARN, new AuditLine("query_denied").add("request", request(tag)).add("peer", Peers.text(peer)));
    }

    @Override
    public void httpQueryDenied(String request, SocketAddress peer) {
        write(Level.WARN, new AuditLine("query_denied").add("request", request).add("peer", Peers.text(peer)));
    }
}
