package org.jepmd.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jepmd.protocol.EpmdTag;
import org.jepmd.registry.RefusalReason;
import org.jepmd.server.DirectMemoryBudget;
import org.jepmd.server.EpmdEvent;
import org.jepmd.server.EpmdEvent.AcceptFailed;
import org.jepmd.server.EpmdEvent.BytesIn;
import org.jepmd.server.EpmdEvent.BytesOut;
import org.jepmd.server.EpmdEvent.ConnectionClosed;
import org.jepmd.server.EpmdEvent.ConnectionOpened;
import org.jepmd.server.EpmdEvent.ConnectionRefused;
import org.jepmd.server.EpmdEvent.Dropped;
import org.jepmd.server.EpmdEvent.HttpQueryDenied;
import org.jepmd.server.EpmdEvent.Kill;
import org.jepmd.server.EpmdEvent.Lookup;
import org.jepmd.server.EpmdEvent.NonLocal;
import org.jepmd.server.EpmdEvent.QueryDenied;
import org.jepmd.server.EpmdEvent.Refused;
import org.jepmd.server.EpmdEvent.Registered;
import org.jepmd.server.EpmdEvent.Request;
import org.jepmd.server.EpmdEvent.Stop;
import org.jepmd.server.EpmdEvent.TimedOut;
import org.jepmd.server.EpmdEvent.Unregistered;
import org.jepmd.server.UnregisterCause;
import org.jepmd.server.EpmdObserver;
import java.util.Locale;

/**
 * Counts what the daemon does, as Prometheus metrics in a registry of its own. Every labelled series
 * that can occur is created at zero up front, so rates work from the first scrape.
 */
public final class EpmdMetrics implements EpmdObserver {
    /** The requests a client can send, as metric labels. */
    private static final EpmdTag[] REQUESTS = {EpmdTag.ALIVE2_REQ, EpmdTag.PORT_PLEASE2_REQ, EpmdTag.NAMES_REQ,
        EpmdTag.DUMP_REQ, EpmdTag.KILL_REQ, EpmdTag.STOP_REQ};

    /** The {@code request} label of a refused {@code GET /nodes}. */
    private static final String HTTP_NODES = "http_nodes";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter accepted = counter("jepmd_connections_accepted", "Connections accepted, by peer locality", "peer");
    private final Gauge open = gauge("jepmd_connections_open", "Connections open now, registration connections included");
    private final Counter timedOut = counter("jepmd_connections_timed_out",
            "Connections closed at their packet deadline before a whole request arrived");
    private final Counter requests = counter("jepmd_requests", "Whole requests received, by request", "request");
    private final Counter dropped = counter("jepmd_requests_dropped",
            "Requests closed without a reply (malformed or disallowed), by request", "request");
    private final Counter nonLocal = counter("jepmd_requests_non_local",
            "Local-only requests refused because the peer is not local, by request", "request");
    private final Counter registrations = counter("jepmd_registrations", "Nodes registered (ALIVE2 accepted)");
    private final Counter refusals = counter("jepmd_registration_refusals", "ALIVE2 requests refused, by reason", "reason");
    private final Counter unregistrations = counter("jepmd_unregistrations", "Registrations ended, by cause", "cause");
    private final Gauge registered = gauge("jepmd_registered_nodes", "Nodes registered now");
    private final Counter lookups = counter("jepmd_lookups", "PORT_PLEASE2 lookups answered, by result", "result");
    private final Counter kills = counter("jepmd_kills", "KILL requests answered, by result", "result");
    private final Counter stops = counter("jepmd_stops", "STOP requests answered, by result", "result");
    private final Counter connectionsRefused = counter("jepmd_connections_refused",
            "New connections closed at once because a connection limit was reached, by limit", "limit");
    private final Counter queriesDenied = counter("jepmd_queries_denied",
            "NAMES and PORT_PLEASE2 from peers outside -allow_query, closed unanswered, and HTTP /nodes"
                    + " refused to them (http_nodes), by request", "request");
    private final Counter acceptFailures = counter("jepmd_accept_failures",
            "accept() failures on listening sockets (e.g. out of file descriptors)");
    private final Counter bytesIn = counter("jepmd_received_bytes", "Bytes read from EPMD connections");
    private final Counter bytesOut = counter("jepmd_sent_bytes", "Bytes written to EPMD connections");
    private final Counter httpRefused = counter("jepmd_http_connections_refused",
            "HTTP connections closed at once because an HTTP connection limit was reached, by limit", "limit");
    private final Counter httpTimedOut = counter("jepmd_http_connections_timed_out",
            "HTTP connections closed at their deadline, a request or its reply still unfinished");

    public EpmdMetrics() {
        DirectMemoryBudget memory = DirectMemoryBudget.DEFAULT;
        GaugeWithCallback.builder().name("jepmd_direct_memory_used_bytes")
                .help("Direct memory held by EPMD connections' buffers now")
                .callback(callback -> callback.call(memory.used())).register(registry);
        GaugeWithCallback.builder().name("jepmd_direct_memory_budget_bytes")
                .help("Direct memory EPMD connections may hold; beyond it the connection that asks is closed")
                .callback(callback -> callback.call(memory.limit())).register(registry);
        CounterWithCallback.builder().name("jepmd_direct_memory_refusals")
                .help("Allocations refused because the direct-memory budget was used up; each closed its connection")
                .callback(callback -> callback.call(memory.refusals())).register(registry);
        accepted.initLabelValues("local");
        accepted.initLabelValues("remote");
        for (EpmdTag tag : REQUESTS) {
            requests.initLabelValues(label(tag));
            dropped.initLabelValues(label(tag));
        }
        for (EpmdTag tag : new EpmdTag[] {EpmdTag.ALIVE2_REQ, EpmdTag.DUMP_REQ, EpmdTag.KILL_REQ, EpmdTag.STOP_REQ}) {
            nonLocal.initLabelValues(label(tag));
        }
        for (RefusalReason reason : RefusalReason.values()) {
            refusals.initLabelValues(reason.label());
        }
        for (UnregisterCause cause : UnregisterCause.values()) {
            unregistrations.initLabelValues(cause.label());
        }
        lookups.initLabelValues("hit");
        lookups.initLabelValues("miss");
        kills.initLabelValues("accepted");
        kills.initLabelValues("refused");
        stops.initLabelValues("stopped");
        stops.initLabelValues("noexist");
        connectionsRefused.initLabelValues("total");
        connectionsRefused.initLabelValues("per_peer");
        queriesDenied.initLabelValues(label(EpmdTag.NAMES_REQ));
        queriesDenied.initLabelValues(label(EpmdTag.PORT_PLEASE2_REQ));
        queriesDenied.initLabelValues(HTTP_NODES);
        httpRefused.initLabelValues("total");
        httpRefused.initLabelValues("per_peer");
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
    }

    private Gauge gauge(String name, String help) {
        return Gauge.builder().name(name).help(help).withoutExemplars().register(registry);
    }

    /** A request tag as a label: {@code names_req}, or {@code unknown} for an unknown tag byte. */
    static String label(EpmdTag tag) {
        return tag == null ? "unknown" : tag.name().toLowerCase(Locale.ROOT);
    }

    /** The current values of every metric. */
    public MetricSnapshots scrape() {
        return registry.scrape();
    }

    /** Counts {@code event}; the frequent ones (bytes, requests, lookups, connections) are tested first. */
    @Override
    public void on(EpmdEvent event) {
        if (event instanceof BytesIn e) {
            bytesIn.inc(e.count());
        } else if (event instanceof BytesOut e) {
            bytesOut.inc(e.count());
        } else if (event instanceof Request e) {
            requests.labelValues(label(e.tag())).inc();
        } else if (event instanceof Lookup e) {
            lookups.labelValues(e.hit() ? "hit" : "miss").inc();
        } else if (event instanceof ConnectionOpened e) {
            accepted.labelValues(e.local() ? "local" : "remote").inc();
            open.inc();
        } else if (event instanceof ConnectionClosed) {
            open.dec();
        } else if (event instanceof TimedOut) {
            timedOut.inc();
        } else if (event instanceof Dropped e) {
            dropped.labelValues(label(e.tag())).inc();
        } else if (event instanceof NonLocal e) {
            nonLocal.labelValues(label(e.tag())).inc();
        } else if (event instanceof Registered) {
            registrations.inc();
            registered.inc();
        } else if (event instanceof Refused e) {
            refusals.labelValues(e.reason().label()).inc();
        } else if (event instanceof Unregistered e) {
            unregistrations.labelValues(e.cause().label()).inc();
            registered.dec();
        } else if (event instanceof Kill e) {
            kills.labelValues(e.accepted() ? "accepted" : "refused").inc();
        } else if (event instanceof Stop e) {
            stops.labelValues(e.found() ? "stopped" : "noexist").inc();
        } else if (event instanceof ConnectionRefused e) {
            connectionsRefused.labelValues(e.limit()).inc();
        } else if (event instanceof QueryDenied e) {
            queriesDenied.labelValues(label(e.tag())).inc();
        } else if (event instanceof HttpQueryDenied) {
            queriesDenied.labelValues(HTTP_NODES).inc();
        } else if (event instanceof AcceptFailed) {
            acceptFailures.inc();
        }
    }

    /** An HTTP connection was closed at once by an HTTP connection limit ({@code "total"}, {@code "per_peer"}). */
    void httpConnectionRefused(String limit) {
        httpRefused.labelValues(limit).inc();
    }

    /** An HTTP connection was closed at its deadline. */
    void httpTimedOut() {
        httpTimedOut.inc();
    }
}
