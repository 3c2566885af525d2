package org.jepmd.audit;

import org.jepmd.net.Peers;
import org.jepmd.protocol.EpmdTag;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.server.EpmdEvent;
import org.jepmd.server.EpmdEvent.Dropped;
import org.jepmd.server.EpmdEvent.HttpQueryDenied;
import org.jepmd.server.EpmdEvent.Kill;
import org.jepmd.server.EpmdEvent.NonLocal;
import org.jepmd.server.EpmdEvent.QueryDenied;
import org.jepmd.server.EpmdEvent.Refused;
import org.jepmd.server.EpmdEvent.Registered;
import org.jepmd.server.EpmdEvent.Stop;
import org.jepmd.server.EpmdEvent.TimedOut;
import org.jepmd.server.EpmdEvent.Unregistered;
import org.jepmd.server.EpmdObserver;
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
public final class AuditLog implements EpmdObserver {
    /** The logger name. */
    public static final String LOGGER = "jepmd.audit";

    private final Logger log;

    public AuditLog() {
        this(LoggerFactory.getLogger(LOGGER));
    }

    AuditLog(Logger log) {
        this.log = log;
    }

    private void write(Level level, AuditLine line, SocketAddress peer) {
        log.atLevel(level).log(line.add("peer", Peers.text(peer)).toString());
    }

    private static String request(EpmdTag tag) {
        return tag == null ? "unknown" : tag.name();
    }

    @Override
    public void on(EpmdEvent event) {
        if (event instanceof Registered e) {
            NodeInfo info = e.node().info();
            write(Level.INFO, new AuditLine("register").add("name", info.name()).add("port", info.port())
                    .add("type", info.nodeType()).add("proto", info.protocol())
                    .add("highvsn", info.highestVersion()).add("lowvsn", info.lowestVersion())
                    .add("creation", e.node().creationFor(info.highestVersion())), e.peer());
        } else if (event instanceof Unregistered e) {
            write(Level.INFO, new AuditLine("unregister").add("name", e.node().name())
                    .add("port", e.node().info().port()).add("cause", e.cause().label()), e.node().peer());
        } else if (event instanceof Refused e) {
            write(Level.WARN, new AuditLine("refuse").add("name", e.node().name()).add("port", e.node().port())
                    .add("reason", e.reason().label()), e.peer());
        } else if (event instanceof Kill e) {
            write(e.accepted() ? Level.INFO : Level.WARN, new AuditLine("kill")
                    .add("result", e.accepted() ? "accepted" : "refused_live_nodes"), e.peer());
        } else if (event instanceof Stop e) {
            write(Level.INFO, new AuditLine("stop").add("name", e.name())
                    .add("result", e.found() ? "stopped" : "noexist"), e.peer());
        } else if (event instanceof NonLocal e) {
            write(Level.WARN, new AuditLine("non_local").add("request", request(e.tag())), e.peer());
        } else if (event instanceof TimedOut e) {
            write(Level.WARN, new AuditLine("timeout"), e.peer());
        } else if (event instanceof Dropped e) {
            write(Level.WARN, new AuditLine("drop").add("request", request(e.tag())).add("reason", e.message()), e.peer());
        } else if (event instanceof QueryDenied e) {
            write(Level.WARN, new AuditLine("query_denied").add("request", request(e.tag())), e.peer());
        } else if (event instanceof HttpQueryDenied e) {
            write(Level.WARN, new AuditLine("query_denied").add("request", e.request()), e.peer());
        }
    }
}
