package org.jepmd.docs;

import org.jepmd.cli.EpmdOption;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's choice of JVM ({@code scripts/jepmd}): the {@code case} that gives a client action,
 * {@code -h} or {@code -version} (when last, or a client action's value last) the fast-starting
 * JVM, written from {@link EpmdOption} between two marker lines. Run by Maven in
 * {@code process-test-classes}: {@code LauncherCase scripts/jepmd} rewrites the case when the table
 * changed; the launcher is shipped as it then is, and a test fails when it and the table disagree.
 */
public final class LauncherCase {
    static final String BEGIN = "# BEGIN the options that exit at once, written by the build from org.jepmd.cli.EpmdOption";
    static final String END = "# END the options that exit at once";

    private LauncherCase() {
    }

    /** The lines between the markers: sets {@code client} from {@code $last} and {@code $before_last}. */
    static List<String> render() {
        List<String> last = new ArrayList<>();
        List<String> beforeLast = new ArrayList<>();
        for (EpmdOption option : EpmdOption.values()) {
            if (option.exitsAtOnce()) {
                for (String name : option.names()) {
                    if (!name.matches("-{1,2}[A-Za-z0-9_]+")) {
                        throw new IllegalArgumentException("not a plain case pattern: " + name);
                    }
                    (option.argument().takesValue() ? beforeLast : last).add(name);
                }
            }
        }
        String afterwards = beforeLast.isEmpty() ? "client=no"
                : "case $before_last in " + String.join(" | ", beforeLast) + ") client=yes ;; *) client=no ;; esac";
        return List.of(
                "case $last in",
                "  " + String.join(" | ", last) + ") client=yes ;;",
                "  *) " + afterwards + " ;;",
                "esac");
    }

    /** The lines between the markers in {@code launcher}'s text. */
    static List<String> current(List<String> launcher) {
        int begin = launcher.indexOf(BEGIN);
        int end = launcher.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException("the launcher lacks the lines " + BEGIN + " ... " + END);
        }
        return launcher.subList(begin + 1, end);
    }

    public static void main(String[] args) throws IOException {
        Path script = Path.of(args[0]);
        List<String> lines = new ArrayList<>(Files.readAllLines(script, StandardCharsets.UTF_8));
        List<String> block = current(lines);
        List<String> wanted = render();
        if (!block.equals(wanted)) {
            block.clear();
            block.addAll(wanted);
            Files.writeString(script, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            System.out.println(script + ": its case of the options that exit at once is rewritten from EpmdOption");
        }
    }
}
