package org.jepmd.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * jepmd's usage and help texts.
 *
 * <p>A usage error prints epmd's own usage text, byte for byte as the reference binary (Debian's
 * systemd-enabled build) prints it, program name "epmd" included: jepmd stands in for epmd, and
 * scripts and people compare against that text (docs/protocol.md, Options). {@code -h}/{@code --help} prints the
 * same text followed by jepmd's own options, which epmd does not have.
 */
public final class Usage {
    /** Options that epmd itself has; every other option is listed under "jepmd options". */
    static final Set<String> EPMD_OPTIONS = Set.of("-d", "-debug", "-address", "-port", "-daemon",
            "-relaxed_command_check", "-systemd", "-packet_timeout", "-delay_accept", "-delay_write",
            "-names", "-kill", "-stop", "-dump", "-started");

    private static final String EPMD_USAGE = load();

    private Usage() {
    }

    /** epmd's usage text, exactly as {@code epmd -h} writes it to stderr. */
    public static String epmdUsage() {
        return EPMD_USAGE;
    }

    /** The {@code --help} text: epmd's usage, then jepmd's options and environment. */
    public static String help(CommandSpec spec) {
        StringBuilder text = new StringBuilder(EPMD_USAGE).append("\njepmd options\n");
        for (OptionSpec option : spec.options()) {
            if (EPMD_OPTIONS.contains(option.longestName()) || option.hidden()) {
                continue;
            }
            text.append("    ").append(String.join(", ", option.names()));
            if (option.arity().max() > 0) {
                text.append(' ').append(option.paramLabel());
            }
            text.append('\n');
            for (String line : option.description()) {
                text.append("        ").append(line).append('\n');
            }
        }
        return text.append("\nEnvironment\n")
                .append("    ERL_EPMD_PORT     the port, as -port (a flag wins)\n")
                .append("    ERL_EPMD_ADDRESS  the address list, as -address (a flag wins)\n")
                .append("    ERL_EPMD_RELAXED_COMMAND_CHECK  set (to anything) = -relaxed_command_check\n")
                .toString();
    }

    private static String load() {
        try (InputStream in = Usage.class.getResourceAsStream("epmd-usage.txt")) {
            if (in == null) {
                throw new IllegalStateException("epmd-usage.txt missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
