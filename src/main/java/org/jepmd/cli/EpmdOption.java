package org.jepmd.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * Every option jepmd takes, epmd's and its own: the one table that the picocli command, epmd's
 * argument rules, the picocli-free shortcuts, {@code --help}, the man page, the completion and the
 * launcher's client-or-daemon choice ({@code scripts/jepmd}, rewritten by the build) are made from.
 * The order is {@code --help}'s and the man page's.
 *
 * <p>A new option is one entry here; a new client action also needs its case in {@link ClientActions}.
 * Loaded by the shortcuts before picocli: no picocli types, no lambdas here.
 */
public enum EpmdOption {
    // ---- epmd's regular options ----
    DEBUG(Origin.EPMD, Role.DAEMON, Argument.COUNTED, null, "Debug level +1 (repeatable).", "-d", "-debug"),
    ADDRESS(Origin.EPMD, Role.DAEMON, Argument.TEXT, "List", "Addresses to listen on (and the loopback).", "-address"),
    PORT(Origin.EPMD, Role.DAEMON, Argument.ATOI, "No", "Port, default 4369.", "-port"),
    DAEMON(Origin.EPMD, Role.DAEMON, Argument.FLAG, null, "Start detached; returns once the daemon listens.", "-daemon"),
    RELAXED_COMMAND_CHECK(Origin.EPMD, Role.DAEMON, Argument.FLAG, null, "Allow -kill with live nodes and -stop.",
            "-relaxed_command_check"),
    SYSTEMD(Origin.EPMD, Role.DAEMON, Argument.FLAG, null, "Listen on the sockets systemd passes.", "-systemd"),

    // ---- epmd's DbgExtra options ----
    PACKET_TIMEOUT(Origin.EPMD, Role.DAEMON, Argument.ATOI, "Seconds",
            "Seconds a connection may take to send its request (default 60).", "-packet_timeout"),
    DELAY_ACCEPT(Origin.EPMD, Role.DAEMON, Argument.ATOI, "Seconds",
            "Delay before a new connection is read (test aid).", "-delay_accept"),
    DELAY_WRITE(Origin.EPMD, Role.DAEMON, Argument.ATOI, "Seconds", "Delay before every reply (test aid).",
            "-delay_write"),

    // ---- epmd's interactive options: the last argument(s), see EpmdArgumentRules ----
    NAMES(Origin.EPMD, Role.CLIENT, Argument.FLAG, null, "List the names registered with the local daemon.", "-names"),
    KILL(Origin.EPMD, Role.CLIENT, Argument.FLAG, null, "Stop the local daemon.", "-kill"),
    STOP(Origin.EPMD, Role.CLIENT, Argument.TEXT, "Name", "Unregister a name by force.", "-stop"),
    DUMP(Origin.EPMD_UNLISTED, Role.CLIENT, Argument.FLAG, null, "Dump the local daemon's tables.", "-dump"),
    STARTED(Origin.EPMD_UNLISTED, Role.CLIENT, Argument.FLAG, null,
            "Exit 0 if the local daemon answers, else 1; silent.", "-started"),

    // ---- jepmd's own ----
    HELP(Origin.JEPMD, Role.HELP, Argument.FLAG, null,
            "Show epmd's usage followed by jepmd's options, and exit 0.", "-h", "--help"),
    VERSION(Origin.JEPMD, Role.VERSION, Argument.FLAG, null, "Print jepmd's version and exit.", "-version", "--version"),
    INFO(Origin.JEPMD, Role.CLIENT, Argument.FLAG, null,
            "Ask the daemon on the port which it is: jepmd prints its version, pid, uptime and flags "
                    + "(exit 0); epmd does not answer: \"not jepmd\" (exit 1). Last argument.", "-info"),
    RESTART(Origin.JEPMD, Role.CLIENT, Argument.FLAG, null,
            "Replace the daemon on the port with a new one started from this launcher, keeping its sockets"
                    + " and registrations (nodes see nothing); the new daemon takes the options given before"
                    + " -restart, or the old daemon's when none but -port are. Exit 0 once it serves, else 1,"
                    + " the old one serving on. Last argument.", "-restart"),
    HTTP(Origin.JEPMD, Role.DAEMON, Argument.HTTP, "Address:Port",
            "Serve /metrics (Prometheus), /health, /ready and /nodes over HTTP, e.g. on "
                    + "127.0.0.1:9436, [::1]:9436, localhost:9436 (127.0.0.1) or :9436 (off by default).", "-http"),
    AUDIT(Origin.JEPMD, Role.DAEMON, Argument.FLAG, null, "Log one line per registration, refusal, KILL, STOP, non-local"
            + " attempt and timeout on the jepmd.audit logger.", "-audit"),
    ALLOW_QUERY(Origin.JEPMD, Role.DAEMON, Argument.NETWORKS, "CIDR,...",
            "Answer NAMES and PORT_PLEASE2 only from these networks (and loopback); others are closed "
                    + "unanswered. Default: anyone, as epmd.", "-allow_query"),
    MAX_CONNECTIONS(Origin.JEPMD, Role.DAEMON, Argument.POSITIVE, "N",
            "Open connections at most, registered nodes included, and -loopback_reserve more for"
                    + " loopback peers only (default: 50000 in all, or fewer to fit the open-file limit).",
            "-max_connections"),
    MAX_CONNECTIONS_PER_PEER(Origin.JEPMD, Role.DAEMON, Argument.POSITIVE, "N",
            "Open connections at most from one non-loopback address (default 1000).", "-max_connections_per_peer"),
    LOOPBACK_RESERVE(Origin.JEPMD, Role.DAEMON, Argument.NON_NEGATIVE, "N",
            "Connections kept for loopback peers beyond -max_connections (default 16).", "-loopback_reserve"),
    IPV6_PEER_PREFIX(Origin.JEPMD, Role.DAEMON, Argument.IPV6_PREFIX, "Bits",
            "IPv6 addresses sharing this many leading bits count as one peer for"
                    + " -max_connections_per_peer (default 64).", "-ipv6_peer_prefix");

    /** Whose option it is, which decides the usage text it is listed in and the error it gets. */
    public enum Origin {
        /** epmd's, in epmd's usage text: a usage error prints that text. */
        EPMD,
        /** epmd's, left out of epmd's usage text: {@code --help} lists it apart. */
        EPMD_UNLISTED,
        /** jepmd's own: listed under "jepmd options"; a bad value gets one line saying what is wrong. */
        JEPMD
    }

    /** What the option does to the run, which decides the launcher's JVM. */
    public enum Role {
        /** Configures the daemon. */
        DAEMON,
        /** Asks the daemon on the port and exits: the last argument (its value the last but one). */
        CLIENT,
        /** Prints the help and exits. */
        HELP,
        /** Prints the version and exits. */
        VERSION
    }

    /** What follows the option on the command line: nothing, or its value, the next argument whatever it is. */
    public enum Argument {
        /** Nothing. */
        FLAG,
        /** Nothing; each occurrence counts. */
        COUNTED,
        /** Any text. */
        TEXT,
        /** A number as epmd's {@code atoi()} reads it, 0 being a usage error ({@link Atoi}). */
        ATOI,
        /** {@code Address:Port} ({@link HttpOption}). */
        HTTP,
        /** IP networks separated by commas ({@link HardeningOptions.QueryNetworks}). */
        NETWORKS,
        /** A whole number of at least 1. */
        POSITIVE,
        /** A whole number of at least 0. */
        NON_NEGATIVE,
        /** An IPv6 prefix length, 1 to 128. */
        IPV6_PREFIX;

        /** True when the option takes the next argument as its value. */
        public boolean takesValue() {
            return this != FLAG && this != COUNTED;
        }
    }

    private static final Map<String, EpmdOption> BY_NAME = byName();

    private final Origin origin;
    private final Role role;
    private final Argument argument;
    private final String label;
    private final String description;
    private final String[] names;

    EpmdOption(Origin origin, Role role, Argument argument, String label, String description, String... names) {
        this.origin = origin;
        this.role = role;
        this.argument = argument;
        this.label = label;
        this.description = description;
        this.names = names;
    }

    /** The option called {@code name} exactly, or null. */
    public static EpmdOption named(String name) {
        return BY_NAME.get(name);
    }

    public Origin origin() {
        return origin;
    }

    public Role role() {
        return role;
    }

    public Argument argument() {
        return argument;
    }

    /** The value's name in help texts ({@code -port No}), or null for an option without a value. */
    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** Its names, the main one first. */
    public String[] names() {
        return names.clone();
    }

    /** Its main name, e.g. {@code -d} for {@code -d}/{@code -debug}. */
    public String mainName() {
        return names[0];
    }

    /** True for epmd's own options, listed in its usage text or not. */
    public boolean isEpmds() {
        return origin != Origin.JEPMD;
    }

    /** True for an option after which the process exits at once: a client action, help or version. */
    public boolean exitsAtOnce() {
        return role != Role.DAEMON;
    }

    private static Map<String, EpmdOption> byName() {
        Map<String, EpmdOption> byName = new HashMap<>();
        for (EpmdOption option : values()) {
            for (String name : option.names) {
                byName.put(name, option);
            }
        }
        return byName;
    }
}
