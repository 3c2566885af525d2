package org.jepmd.daemon;

import org.jepmd.audit.AuditLog;
import org.jepmd.http.EpmdMetrics;
import org.jepmd.http.ObservabilityServer;
import org.jepmd.restart.FdStoreAdoption;
import org.jepmd.restart.FdStoreNames;
import org.jepmd.restart.FdStoreSave;
import org.jepmd.restart.HandoverPaths;
import org.jepmd.restart.RestartListener;
import org.jepmd.restart.Takeover;
import org.jepmd.server.EpmdEvents;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;
import org.jepmd.systemd.ListenFds;
import org.jepmd.systemd.SystemdNotifier;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * Runs the daemon in the foreground with the operator's extras: systemd socket activation and
 * readiness ({@code -systemd}), the HTTP endpoint ({@code -http}), the audit log ({@code -audit}),
 * and a clean exit on SIGTERM. The command line's daemon path ({@code ServerRunner}) calls
 * {@link #start}, waits for {@link EpmdServer#terminated()} and ends with {@link #exited}.
 */
public final class Operations {
    /** The status line epmd gives systemd once it serves (docs/protocol.md, systemd socket activation). */
    static final String READY_STATUS = "Processing port mapping requests...";
    private static final long STOP_WAIT_SECONDS = 5;
    /** How long a daemon that took over waits for the old one to free the HTTP address. */
    private static final long HTTP_TAKEOVER_WAIT_MILLIS = 10_000;

    /**
     * What the operator asked for.
     *
     * @param systemd  take the listening sockets from systemd and notify it
     * @param http     where to serve metrics, health, readiness and nodes; null for nowhere
     * @param audit    log the audit trail on {@code jepmd.audit}
     * @param takeover the running daemon's hand-over socket, to take over from ({@code jepmd -restart});
     *                 null to start afresh
     */
    public record Options(boolean systemd, InetSocketAddress http, boolean audit, Path takeover) {
    }

    private final Options options;
    private final SystemdNotifier notifier;
    private final EpmdMetrics metrics;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicBoolean exited = new AtomicBoolean();
    private volatile EpmdServer server;
    private volatile ObservabilityServer http;
    private final StopWatchdog watchdog = new StopWatchdog(StopWatchdog.LIMIT);

    public Operations(Options options) {
        this(options, options.systemd() ? SystemdNotifier.fromEnvironment() : SystemdNotifier.to(null));
    }

    Operations(Options options, SystemdNotifier notifier) {
        this.options = options;
        this.notifier = notifier;
        this.metrics = options.http() == null ? null : new EpmdMetrics();
    }

    /**
     * The daemon's configuration with the inherited sockets in under {@code -systemd}.
     *
     * @throws StartupFailure (exit 1) when systemd passed no usable sockets
     */
    public ServerConfig configure(ServerConfig config) throws StartupFailure {
        if (!options.systemd()) {
            return config;
        }
        try {
            return config.toBuilder().inheritedFds(ListenFds.inherit()).build();
        } catch (StartupFailure e) {
            LOG.warn("{}", e.getMessage());
            throw e;
        }
    }

    /**
     * Starts on the sockets systemd passes, with the registrations it kept in its fd store when the
     * previous daemon stopped into it ({@link #stop}).
     */
    private EpmdServer startUnderSystemd(ServerConfig config) throws StartupFailure {
        ListenFds.Inherited inherited;
        try {
            inherited = ListenFds.inheritWithStore(FdStoreNames.PREFIX);
        } catch (StartupFailure e) {
            LOG.warn("{}", e.getMessage());
            throw e;
        }
        ServerConfig onSockets = config.toBuilder().inheritedFds(inherited.listeners()).build();
        if (inherited.stored().isEmpty()) {
            return EpmdServer.start(onSockets, events());
        }
        return FdStoreAdoption.start(onSockets, events(), inherited.stored(), notifier);
    }

    /** Where the daemon reports: the metrics under {@code -http}, the audit log under {@code -audit}. */
    EpmdEvents events() {
        return EpmdEvents.to(metrics, options.audit() ? new AuditLog() : null);
    }

    /** Starts the daemon and the extras; the daemon runs until {@link EpmdServer#terminated()}. */
    public EpmdServer start(ServerConfig config) throws StartupFailure {
        Path takeover = options.takeover();
        EpmdServer started;
        if (takeover == null) {
            started = options.systemd() ? startUnderSystemd(config) : EpmdServer.start(config, events());
            RestartListener.open(started, HandoverPaths.of(System.getenv()));
        } else {
            started = Takeover.run(configure(config), events(), takeover); // it serves the hand-over socket it took
        }
        server = started;
        if (options.http() != null && takeover != null) {
            http = httpAfterTakeOver(started);
        } else if (options.http() != null) {
            try {
                http = ObservabilityServer.start(options.http(), started, metrics);
            } catch (StartupFailure e) {
                LOG.warn("{}", e.getMessage());
                started.close();
                throw e;
            }
            LOG.info("serving metrics and health over HTTP on {}", http.localAddress());
        }
        started.terminated().thenRun(this::stopping);
        started.shutdownStarted().thenRun(watchdog::arm); // KILL_REQ's stop, as SIGTERM's
        SignalExit.onTerm(this::stop);
        Runtime.getRuntime().addShutdownHook(new Thread(this::jvmShutdown, "jepmd-shutdown"));
        notifier.ready(READY_STATUS);
        return started;
    }

    /**
     * The HTTP endpoint of a daemon that took over ({@code jepmd -restart}): the old daemon frees the
     * address as it exits, so binding is retried for {@link #HTTP_TAKEOVER_WAIT_MILLIS}; then the
     * daemon serves on without it (a warning), since stopping would drop every registration.
     */
    private ObservabilityServer httpAfterTakeOver(EpmdServer started) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HTTP_TAKEOVER_WAIT_MILLIS);
        while (true) {
            try {
                ObservabilityServer endpoint = ObservabilityServer.start(options.http(), started, metrics);
                LOG.info("serving metrics and health over HTTP on {}", endpoint.localAddress());
                return endpoint;
            } catch (StartupFailure e) {
                if (System.nanoTime() > deadline) {
                    LOG.warn("{}; serving on without HTTP", e.getMessage());
                    return null;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /**
     * Begins a clean stop: tells systemd, then frees the ports and closes every connection; under
     * {@code -systemd}, first tries to leave the registrations in systemd's fd store for the next
     * daemon ({@link FdStoreSave}).
     */
    public void stop() {
        watchdog.arm();
        stopping();
        EpmdServer running = server;
        if (running == null || !stopRequested.compareAndSet(false, true)) {
            return;
        }
        if (!stoppedIntoFdStore(running)) {
            running.shutdown();
        }
    }

    private boolean stoppedIntoFdStore(EpmdServer running) {
        String socket = options.systemd() ? System.getenv("NOTIFY_SOCKET") : null;
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        return FdStoreSave.stopInto(running, socket, FdStoreSave.capacity(System.getenv()));
    }

    private void stopping() {
        if (stopping.compareAndSet(false, true)) {
            notifier.stopping();
        }
    }

    /**
     * Says the last word to systemd and releases the extras; runs once. The caller calls it on every
     * exit path, a failed {@link #start} included, so that systemd always hears
     * {@code STATUS=Exited.} and the status.
     */
    public void exited(int status) {
        if (!exited.compareAndSet(false, true)) {
            return;
        }
        if (server != null) {
            stopping();
        }
        ObservabilityServer endpoint = http;
        if (endpoint != null) {
            endpoint.close();
        }
        notifier.exited(status);
        notifier.close();
    }

    /** The JVM is going down before {@link #exited} was called (SIGINT, SIGHUP, System.exit). */
    private void jvmShutdown() {
        if (exited.get()) {
            return;
        }
        stop();
        EpmdServer running = server;
        int status = 0;
        if (running != null) {
            try {
                status = running.terminated().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                status = 1;
            }
        }
        exited(status);
    }
}
