package org.jepmd.cli;

import org.jepmd.client.EpmdClient;
import org.jepmd.client.JepmdInfoClient;
import org.jepmd.ops.Operations;
import org.jepmd.server.ListenPlan;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.guard.QueryAccess;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The {@code jepmd} command: epmd's command line (docs/protocol.md, Options and Environment) with epmd's single-dash
 * names. Without a client action it runs the daemon (in the foreground, or detached with {@code -daemon}); with one
 * ({@code -names}, {@code -kill}, {@code -stop NAME}, {@code -dump}, {@code -started}, always last) it talks to the
 * local daemon and exits.
 *
 * <p>New daemon options add an {@code @Option} field here and one line to {@link #serverConfig()}.
 */
@Command(name = "jepmd", versionProvider = ManifestVersionProvider.class,
        exitCodeOnInvalidInput = 1, exitCodeOnExecutionException = 1, exitCodeOnUsageHelp = 0,
        exitCodeOnVersionHelp = 0)
public final class EpmdCommand implements Callable<Integer> {
    // ---- epmd's regular options ----

    @Option(names = {"-d", "-debug"}, description = "Debug level +1 (repeatable).")
    boolean[] debug = new boolean[0];

    @Option(names = "-address", paramLabel = "List", description = "Addresses to listen on (and the loopback).")
    String address;

    @Option(names = "-port", paramLabel = "No", converter = Atoi.NonZero.class, description = "Port, default 4369.")
    Integer port;

    @Option(names = "-daemon", description = "Start detached; returns once the daemon listens.")
    boolean daemon;

    @Option(names = "-relaxed_command_check", description = "Allow -kill with live nodes and -stop.")
    boolean relaxedCommandCheck;

    @Option(names = "-systemd", description = "Listen on the sockets systemd passes.")
    boolean systemd;

    // ---- epmd's DbgExtra options ----

    @Option(names = "-packet_timeout", paramLabel = "Seconds", converter = Atoi.NonZero.class,
            description = "Seconds a connection may take to send its request (default 60).")
    Integer packetTimeout;

    @Option(names = "-delay_accept", paramLabel = "Seconds", converter = Atoi.NonZero.class,
            description = "Delay before a new connection is read (test aid).")
    Integer delayAccept;

    @Option(names = "-delay_write", paramLabel = "Seconds", converter = Atoi.NonZero.class,
            description = "Delay before every reply (test aid).")
    Integer delayWrite;

    // ---- epmd's interactive options: the last argument(s), see EpmdArgumentRules ----

    @Option(names = "-names", description = "List the names registered with the local daemon.")
    boolean names;

    @Option(names = "-kill", description = "Stop the local daemon.")
    boolean kill;

    @Option(names = "-stop", paramLabel = "Name", description = "Unregister a name by force.")
    String stop;

    @Option(names = "-dump", description = "Dump the local daemon's tables.")
    boolean dump;

    @Option(names = "-started", description = "Exit 0 if the local daemon answers, else 1; silent.")
    boolean started;

    // ---- jepmd's own ----

    @Option(names = {"-h", "--help"}, usageHelp = true,
            description = "Show epmd's usage followed by jepmd's options, and exit 0.")
    boolean help;

    @Option(names = {"-version", "--version"}, versionHelp = true, description = "Print jepmd's version and exit.")
    boolean version;

    @Option(names = "-info", description = "Ask the daemon on the port which it is: jepmd prints its version, pid, uptime and flags "
                    + "(exit 0); epmd does not answer: \"not jepmd\" (exit 1). Last argument.")
    boolean info;

    @Option(names = "-http", paramLabel = "Address:Port", converter = HttpOption.class,
            description = "Serve /metrics (Prometheus), /health, /ready and /nodes over HTTP, e.g. on "
                    + "127.0.0.1:9436, [::1]:9436, localhost:9436 (127.0.0.1) or :9436 (off by default).")
    InetSocketAddress http;

    @Option(names = "-audit", description = "Log one line per registration, refusal, KILL, STOP, non-local"
            + " attempt and timeout on the jepmd.audit logger.")
    boolean audit;

    @Option(names = "-allow_query", paramLabel = "CIDR,...", converter = HardeningOptions.QueryNetworks.class,
            description = "Answer NAMES and PORT_PLEASE2 only from these networks (and loopback); others are closed "
                    + "unanswered. Default: anyone, as epmd.")
    QueryAccess allowQuery;

    @Option(names = "-max_connections", paramLabel = "N", converter = HardeningOptions.Positive.class,
            description = "Open connections at most, registered nodes included, and -loopback_reserve more for"
                    + " loopback peers only (default: 50000 in all, or fewer to fit the open-file limit).")
    Integer maxConnections;

    @Option(names = "-max_connections_per_peer", paramLabel = "N", converter = HardeningOptions.Positive.class,
            description = "Open connections at most from one non-loopback address (default 1000).")
    Integer maxConnectionsPerPeer;

    @Option(names = "-loopback_reserve", paramLabel = "N", converter = HardeningOptions.NonNegative.class,
            description = "Connections kept for loopback peers beyond -max_connections (default 16).")
    Integer loopbackReserve;

    @Option(names = "-ipv6_peer_prefix", paramLabel = "Bits", converter = HardeningOptions.Ipv6Prefix.class,
            description = "IPv6 addresses sharing this many leading bits count as one peer for"
                    + " -max_connections_per_peer (default 64).")
    Integer ipv6PeerPrefix;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param env the process environment ({@code System.getenv()}; tests pass their own)
     * @param out standard output, as bytes: client replies are copied raw
     * @param err standard error
     */
    public EpmdCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
    }

    /**
     * The configured {@link CommandLine} for a command with this environment and these streams:
     * epmd's parsing rules, usage text on stderr with exit status 1 for every usage error.
     */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new EpmdCommand(env, out, err));
        commandLine.setOverwrittenOptionsAllowed(true)      // -port 1 -port 2: the last wins
                .setAllowOptionsAsOptionParameters(true)    // -stop -d stops the node "-d"
                .setPosixClusteredShortOptionsAllowed(false)
                .setExpandAtFiles(false)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler((e, args) -> {
                    // jepmd's own options: one line that says what is wrong; epmd's: epmd's usage
                    Optional<String> jepmdOption = JepmdOptionError.of(e);
                    if (jepmdOption.isPresent()) {
                        err.print(jepmdOption.get() + "\n");
                        err.flush();
                    } else {
                        Usage.printEpmdUsage(err);
                    }
                    return 1;
                })
                .setExecutionStrategy(parseResult -> {
                    EpmdArgumentRules.check(commandLine, parseResult.originalArgs());
                    return new CommandLine.RunLast().execute(parseResult);
                });
        commandLine.setHelpSectionKeys(List.of("jepmd"));
        commandLine.getHelpSectionMap().put("jepmd", help -> Usage.help(help.commandSpec()));
        return commandLine;
    }

    @Override
    public Integer call() {
        if (info) {
            return new JepmdInfoClient(port(), out, err).info();
        }
        if (names || kill || dump || started || stop != null) {
            return runClient(new EpmdClient(port(), out, err));
        }
        return runDaemon(spec.commandLine().getParseResult().originalArgs());
    }

    /**
     * Runs the daemon as the options say: in the foreground, or detached with {@code -daemon}
     * (the parent starts the child with {@code originalArgs}; the child serves and reports).
     * {@link DaemonShortcut} calls it with the fields set without picocli.
     */
    int runDaemon(List<String> originalArgs) {
        if (!daemon) {
            return serve(originalArgs, null);
        }
        String statusSocket = env.get(DaemonStatus.ENV);
        if (statusSocket == null) {
            return Daemonizer.launch(originalArgs, env, err);
        }
        DaemonStatus.ignoreHangup();
        return serve(originalArgs, new DaemonStatus(Path.of(statusSocket)));
    }

    private int serve(List<String> originalArgs, DaemonStatus status) {
        ServerConfig config = serverConfig().arguments(originalArgs).build();
        List<String> warnings = HardeningOptions.beyondFileLimit(config.connectionLimits(), maxConnections)
                .stream().toList();
        return ServerRunner.run(config, operations(), warnings, status);
    }

    /** The operator's extras: {@code -systemd}, {@code -http}, {@code -audit}. */
    Operations.Options operations() {
        return new Operations.Options(systemd, http, audit);
    }

    private int runClient(EpmdClient client) {
        if (names) {
            return client.names();
        }
        if (kill) {
            return client.kill();
        }
        if (dump) {
            return client.dump();
        }
        if (started) {
            return client.started();
        }
        return client.stop(EpmdClient.argumentBytes(stop));
    }

    /**
     * The daemon's configuration from the options and the environment: the one place where options
     * become a {@link ServerConfig}. A flag wins over its environment variable.
     */
    ServerConfig.Builder serverConfig() {
        ServerConfig.Builder config = ServerConfig.builder()
                .port(port())
                .addresses(ListenPlan.tokens(EpmdEnvironment.addresses(address, env)))
                .relaxedCommandCheck(EpmdEnvironment.relaxed(relaxedCommandCheck, env))
                .debugLevel(debug.length);
        if (packetTimeout != null) {
            config.packetTimeout(Duration.ofSeconds(packetTimeout));
        }
        if (delayAccept != null) {
            config.delayAccept(Duration.ofSeconds(delayAccept));
        }
        if (delayWrite != null) {
            config.delayWrite(Duration.ofSeconds(delayWrite));
        }
        if (allowQuery != null) {
            config.queryAccess(allowQuery);
        }
        config.connectionLimits(HardeningOptions.limits(maxConnections, maxConnectionsPerPeer, loopbackReserve,
                ipv6PeerPrefix));
        return config;
    }

    /** {@code -port}, else {@code atoi($ERL_EPMD_PORT)} (so "abc" is 0: an ephemeral port), else 4369. */
    int port() {
        return EpmdEnvironment.port(port, env);
    }
}
