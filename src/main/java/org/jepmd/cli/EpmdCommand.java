package org.jepmd.cli;

import org.jepmd.daemon.DaemonStatus;
import org.jepmd.daemon.Daemonizer;
import org.jepmd.daemon.Operations;
import org.jepmd.daemon.ServerRunner;
import org.jepmd.restart.Takeover;
import org.jepmd.server.ListenPlan;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.guard.QueryAccess;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

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
 * <p>Its options are {@link EpmdOption}'s table; a new daemon option also adds one line to {@link #serverConfig()}.
 */
@Command(name = "jepmd", versionProvider = ManifestVersionProvider.class,
        exitCodeOnInvalidInput = 1, exitCodeOnExecutionException = 1, exitCodeOnUsageHelp = 0,
        exitCodeOnVersionHelp = 0)
public final class EpmdCommand implements Callable<Integer> {
    /** picocli's model, where picocli leaves the values it parsed; null on the shortcuts' way. */
    private CommandSpec spec;
    /** The values the shortcuts parsed; null on picocli's way. */
    private final OptionValues given;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param env the process environment ({@code System.getenv()}; tests pass their own)
     * @param out standard output, as bytes: client replies are copied raw
     * @param err standard error
     */
    public EpmdCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this(env, out, err, null);
    }

    /** A command with the options {@code given} (the shortcuts'), parsed without picocli. */
    EpmdCommand(Map<String, String> env, PrintStream out, PrintStream err, OptionValues given) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
        this.given = given;
    }

    /**
     * The configured {@link CommandLine} for a command with this environment and these streams:
     * epmd's parsing rules, usage text on stderr with exit status 1 for every usage error.
     */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        EpmdCommand command = new EpmdCommand(env, out, err);
        command.spec = CommandSpec.forAnnotatedObject(command);
        OptionSpecs.addTo(command.spec);
        CommandLine commandLine = new CommandLine(command.spec);
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
        commandLine.getHelpSectionMap().put("jepmd", help -> Usage.help());
        return commandLine;
    }

    @Override
    public Integer call() {
        OptionValues values = values();
        EpmdOption action = values.clientAction();
        if (action != null) {
            return ClientActions.run(action, values, port(), spec.commandLine().getParseResult().originalArgs(), env,
                    out, err);
        }
        return runDaemon(spec.commandLine().getParseResult().originalArgs());
    }

    /** The options given: the shortcuts' or picocli's. */
    private OptionValues values() {
        return given != null ? given : OptionSpecs.values(spec);
    }

    /** {@code -daemon}: detached. */
    boolean daemon() {
        return values().has(EpmdOption.DAEMON);
    }

    /** {@code -http}'s address, or null. */
    InetSocketAddress http() {
        return values().value(EpmdOption.HTTP, InetSocketAddress.class);
    }

    /**
     * Runs the daemon as the options say: in the foreground, or detached with {@code -daemon}
     * (the parent starts the child with {@code originalArgs}; the child serves and reports).
     * {@link DaemonShortcut} calls it with the options parsed without picocli.
     */
    int runDaemon(List<String> originalArgs) {
        if (!daemon()) {
            return serve(originalArgs, null);
        }
        String statusAt = env.get(DaemonStatus.ENV);
        if (statusAt == null) {
            return Daemonizer.launch(originalArgs, env, err);
        }
        DaemonStatus.ignoreHangup();
        return serve(originalArgs, DaemonStatus.to(statusAt, err));
    }

    private int serve(List<String> originalArgs, DaemonStatus status) {
        ServerConfig config = serverConfig().arguments(originalArgs).build();
        Integer maxConnections = values().value(EpmdOption.MAX_CONNECTIONS, Integer.class);
        List<String> warnings = HardeningOptions.beyondFileLimit(config.connectionLimits(), maxConnections)
                .stream().toList();
        return ServerRunner.run(config, operations(), warnings, status);
    }

    /** The operator's extras: {@code -systemd}, {@code -http}, {@code -audit}; a take-over ({@code -restart}). */
    Operations.Options operations() {
        OptionValues values = values();
        String takeover = env.get(Takeover.ENV);
        return new Operations.Options(values.has(EpmdOption.SYSTEMD), http(), values.has(EpmdOption.AUDIT),
                takeover == null ? null : Path.of(takeover));
    }

    /**
     * The daemon's configuration from the options and the environment: the one place where options
     * become a {@link ServerConfig}. A flag wins over its environment variable.
     */
    ServerConfig.Builder serverConfig() {
        OptionValues values = values();
        ServerConfig.Builder config = ServerConfig.builder()
                .port(port())
                .addresses(ListenPlan.tokens(EpmdEnvironment.addresses(values.value(EpmdOption.ADDRESS, String.class), env)))
                .relaxedCommandCheck(EpmdEnvironment.relaxed(values.has(EpmdOption.RELAXED_COMMAND_CHECK), env))
                .debugLevel(values.times(EpmdOption.DEBUG));
        Integer packetTimeout = values.value(EpmdOption.PACKET_TIMEOUT, Integer.class);
        if (packetTimeout != null) {
            config.packetTimeout(Duration.ofSeconds(packetTimeout));
        }
        Integer delayAccept = values.value(EpmdOption.DELAY_ACCEPT, Integer.class);
        if (delayAccept != null) {
            config.delayAccept(Duration.ofSeconds(delayAccept));
        }
        Integer delayWrite = values.value(EpmdOption.DELAY_WRITE, Integer.class);
        if (delayWrite != null) {
            config.delayWrite(Duration.ofSeconds(delayWrite));
        }
        QueryAccess allowQuery = values.value(EpmdOption.ALLOW_QUERY, QueryAccess.class);
        if (allowQuery != null) {
            config.queryAccess(allowQuery);
        }
        config.connectionLimits(HardeningOptions.limits(values.value(EpmdOption.MAX_CONNECTIONS, Integer.class),
                values.value(EpmdOption.MAX_CONNECTIONS_PER_PEER, Integer.class),
                values.value(EpmdOption.LOOPBACK_RESERVE, Integer.class),
                values.value(EpmdOption.IPV6_PEER_PREFIX, Integer.class)));
        return config;
    }

    /** {@code -port}, else {@code atoi($ERL_EPMD_PORT)} (so "abc" is 0: an ephemeral port), else 4369. */
    int port() {
        return EpmdEnvironment.port(values().value(EpmdOption.PORT, Integer.class), env);
    }
}
