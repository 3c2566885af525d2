package org.jepmd.cli;

import org.jepmd.protocol.Epmd;

import java.util.Map;

/**
 * epmd's environment variables (docs/protocol.md, Environment), read from the process environment (never from Java
 * system properties). A command-line flag wins over its variable.
 */
final class EpmdEnvironment {
    /** The port ({@code atoi}, so {@code "abc"} is 0: ephemeral ports for the daemon). */
    static final String PORT = "ERL_EPMD_PORT";
    /** The address list, as {@code -address}. */
    static final String ADDRESS = "ERL_EPMD_ADDRESS";
    /** Set, to any value (even empty): {@code -relaxed_command_check}. */
    static final String RELAXED = "ERL_EPMD_RELAXED_COMMAND_CHECK";

    private EpmdEnvironment() {
    }

    /** {@code -port} if given, else {@code atoi($ERL_EPMD_PORT)} if set, else 4369. */
    static int port(Integer flag, Map<String, String> env) {
        if (flag != null) {
            return flag;
        }
        return env.containsKey(PORT) ? Atoi.parse(env.get(PORT)) : Epmd.DEFAULT_PORT;
    }

    /** {@code -address} if given, else {@code $ERL_EPMD_ADDRESS} (may be null). */
    static String addresses(String flag, Map<String, String> env) {
        return flag != null ? flag : env.get(ADDRESS);
    }

    /** {@code -relaxed_command_check} given, or {@code ERL_EPMD_RELAXED_COMMAND_CHECK} set. */
    static boolean relaxed(boolean flag, Map<String, String> env) {
        return flag || env.containsKey(RELAXED);
    }
}
