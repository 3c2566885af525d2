package org.jepmd.docs;

import org.jepmd.cli.EpmdCommand;
import org.jepmd.cli.EpmdOption;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the man page source ({@code adoc/jepmd.adoc}, AsciiDoc in picocli's man-page layout, rendered
 * to {@code man/jepmd.1} by asciidoctor in the build) and the bash/zsh completion script
 * ({@code jepmd_completion}) from the picocli command itself. Run by Maven in
 * {@code process-test-classes}: {@code GenerateDocs <output directory>}.
 */
public final class GenerateDocs {
    private GenerateDocs() {
    }

    /** The man page's prose, which the terse {@code --help} (epmd's usage text) does not carry. */
    private static void describe(CommandSpec spec, String version) {
        spec.version("jepmd " + version);
        spec.usageMessage()
                .header("Erlang Port Mapper Daemon on the JVM: a drop-in replacement for epmd")
                .description(
                        "jepmd maps Erlang node names to the ports their distribution listens on, as epmd does,"
                                + " byte for byte on the wire and on the command line.",
                        "",
                        "Without an action it runs the daemon in the foreground (or detached with *-daemon*);"
                                + " with one of " + epmdClientActions() + ", which must"
                                + " come last, it asks the local daemon and exits.",
                        "",
                        "*-systemd* takes the listening sockets systemd passes and notifies it; *-http* and"
                                + " *-audit* are jepmd's own observability options, off by default.")
                .exitCodeListHeading("Exit status%n")
                .exitCodeList(exitCodes())
                .footerHeading("Environment%n")
                .footer(
                        "*ERL_EPMD_PORT*:: the port, as *-port* (a flag wins).",
                        "*ERL_EPMD_ADDRESS*:: the address list, as *-address*.",
                        "*ERL_EPMD_RELAXED_COMMAND_CHECK*:: set (to anything): as *-relaxed_command_check*.",
                        "*JEPMD_OPTS*, *JAVA_OPTS*:: extra JVM options for the *jepmd* launcher.",
                        "",
                        "== See also",
                        "",
                        "*epmd*(1), *erl*(1); docs/operations.md and docs/protocol.md in the jepmd sources.");
    }

    /** epmd's client actions as the man page writes them: "*-names*, *-kill*, *-stop* _Name_ ... or *-started*". */
    static String epmdClientActions() {
        List<String> actions = new ArrayList<>();
        for (EpmdOption option : EpmdOption.values()) {
            if (option.isEpmds() && option.role() == EpmdOption.Role.CLIENT) {
                actions.add("*" + option.mainName() + "*" + (option.argument().takesValue() ? " _" + option.label() + "_" : ""));
            }
        }
        return String.join(", ", actions.subList(0, actions.size() - 1)) + " or " + actions.get(actions.size() - 1);
    }

    private static Map<String, String> exitCodes() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "Success; for the daemon also: stopped by KILL or SIGTERM, or another daemon"
                + " already listens on the port.");
        codes.put("1", "Usage error, failure to listen, or the action failed.");
        return codes;
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        CommandLine command = EpmdCommand.commandLine(Map.of(), discard, discard);
        describe(command.getCommandSpec(), args.length > 1 ? args[1] : "development build");
        command.setSeparator(" "); // epmd's options take their value as the next argument
        Path adoc = Files.createDirectories(out.resolve("adoc"));
        try (PrintWriter page = new PrintWriter(Files.newBufferedWriter(adoc.resolve("jepmd.adoc"), StandardCharsets.UTF_8))) {
            ManPageGenerator.writeSingleManPage(page, command.getCommandSpec());
        }
        // installed under epmd's name too (a link named epmd on PATH): complete that name as well
        String completion = AutoComplete.bash("jepmd", command)
                + "\n# the same completion for jepmd installed as epmd\ncomplete -F _complete_jepmd -o default epmd\n";
        Files.writeString(out.resolve("jepmd_completion"), completion, StandardCharsets.UTF_8);
    }
}
