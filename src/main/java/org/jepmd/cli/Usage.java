package org.jepmd.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    private static final int HELP_WIDTH = 80;
    private static final String DESCRIPTION_INDENT = "        ";

    /** Headings that epmd's usage() prints together with the empty line before them ("\nDbgExtra options\n"). */
    private static final Set<String> HEADINGS_AFTER_EMPTY_LINE = Set.of("DbgExtra options\n", "Interactive options\n");

    private static final String EPMD_USAGE = load();

    private Usage() {
    }

    /** epmd's usage text, exactly as {@code epmd -h} writes it to stderr. */
    public static String epmdUsage() {
        return EPMD_USAGE;
    }

    /**
     * Prints epmd's usage text as epmd's usage() does: one {@code fprintf(stderr, ...)} per line,
     * an empty line going with the line before it or, before a heading, with the heading; on an
     * unbuffered stderr each is one {@code write()}.
     */
    public static void printEpmdUsage(PrintStream err) {
        for (String fprintf : epmdUsageWrites()) {
            err.print(fprintf);
        }
        err.flush();
    }

    /** epmd's usage text cut where epmd's usage() cuts it into {@code fprintf()} calls. */
    static List<String> epmdUsageWrites() {
        List<String> writes = new ArrayList<>();
        String[] lines = EPMD_USAGE.split("(?<=\n)");
        for (int i = 0; i < lines.length; i++) {
            boolean emptyLine = lines[i].equals("\n");
            if (emptyLine && i + 1 < lines.length && HEADINGS_AFTER_EMPTY_LINE.contains(lines[i + 1])) {
                writes.add(lines[i] + lines[++i]);
            } else if (emptyLine && !writes.isEmpty()) {
                writes.set(writes.size() - 1, writes.get(writes.size() - 1) + lines[i]);
            } else {
                writes.add(lines[i]);
            }
        }
        return writes;
    }

    /** The {@code --help} text: epmd's usage, then jepmd's options and environment. */
    public static String help() {
        StringBuilder text = new StringBuilder(EPMD_USAGE)
                .append("\nepmd options its usage text leaves out\n");
        describe(text, EpmdOption.Origin.EPMD_UNLISTED);
        text.append("\njepmd options\n");
        describe(text, EpmdOption.Origin.JEPMD);
        return text.append("\nEnvironment\n")
                .append("    ERL_EPMD_PORT     the port, as -port (a flag wins)\n")
                .append("    ERL_EPMD_ADDRESS  the address list, as -address (a flag wins)\n")
                .append("    ERL_EPMD_RELAXED_COMMAND_CHECK  set (to anything) = -relaxed_command_check\n")
                .toString();
    }

    /** Each option of {@code origin}, in the table's order. */
    private static void describe(StringBuilder text, EpmdOption.Origin origin) {
        for (EpmdOption option : EpmdOption.values()) {
            if (option.origin() == origin) {
                describe(text, option);
            }
        }
    }

    /** {@code    -name Label} then the description in lines of at most {@value #HELP_WIDTH} characters. */
    private static void describe(StringBuilder text, EpmdOption option) {
        text.append("    ").append(String.join(", ", option.names()));
        if (option.argument().takesValue()) {
            text.append(' ').append(option.label());
        }
        text.append('\n');
        StringBuilder line = new StringBuilder();
        for (String word : option.description().split(" +")) {
            if (line.length() > 0 && DESCRIPTION_INDENT.length() + line.length() + 1 + word.length() > HELP_WIDTH) {
                text.append(DESCRIPTION_INDENT).append(line).append('\n');
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        text.append(DESCRIPTION_INDENT).append(line).append('\n');
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
