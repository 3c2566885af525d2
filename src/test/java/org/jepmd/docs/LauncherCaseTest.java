package org.jepmd.docs;

import org.jepmd.cli.EpmdOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/jepmd chooses the client JVM for exactly the options {@link EpmdOption} says exit at once. */
class LauncherCaseTest {
    private static final Path LAUNCHER = Path.of("scripts/jepmd");

    @Test
    void theLaunchersCaseIsTheOneTheTableGives() throws IOException {
        List<String> launcher = Files.readAllLines(LAUNCHER, StandardCharsets.UTF_8);
        assertEquals(LauncherCase.render(), LauncherCase.current(launcher),
                "scripts/jepmd disagrees with EpmdOption: run the build (LauncherCase rewrites it) and commit it");
    }

    @Test
    void theLauncherGivesTheClientJvmToWhatExitsAtOnceAndTheDaemonJvmToTheRest() throws Exception {
        Choices choices = new Choices();
        for (EpmdOption option : EpmdOption.values()) {
            for (String name : option.names()) {
                String expected = option.exitsAtOnce() ? "yes" : "no";
                if (option.argument().takesValue()) {
                    choices.add(expected, "-port", "4371", name, "some_value");
                    choices.add("no", name); // without its value: a usage error, no matter
                } else {
                    choices.add(expected, "-port", "4371", name);
                    choices.add(expected, name);
                    choices.add("no", name, "-d");
                }
            }
        }
        choices.add("no");
        choices.add("no", "-port", "4371");
        assertEquals(choices.expected, choices.run(choiceScript()));
    }

    /** Argument lists and the launcher's expected choice for each: {@code client=yes} or {@code no}. */
    private static final class Choices {
        final List<String> expected = new ArrayList<>();
        final StringBuilder calls = new StringBuilder();

        void add(String client, String... args) {
            StringBuilder quoted = new StringBuilder();
            for (String arg : args) {
                quoted.append(" '").append(arg).append('\'');
            }
            expected.add(String.join(" ", args) + " => " + client);
            calls.append("choose").append(quoted).append('\n');
        }

        /** Each argument list run through the launcher's lines {@code choice}, in one bash. */
        List<String> run(String choice) throws Exception {
            String script = "choose() {\n" + choice + "\nprintf '%s => %s\\n' \"$*\" \"$client\"\n}\n" + calls;
            Process bash = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
            String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(bash.waitFor(10, TimeUnit.SECONDS), "bash hangs");
            return out.lines().toList();
        }
    }

    /** The launcher's lines from {@code last=...} to the end of the generated case. */
    private static String choiceScript() throws IOException {
        List<String> lines = Files.readAllLines(LAUNCHER, StandardCharsets.UTF_8);
        int from = -1;
        for (int i = 0; i < lines.size() && from < 0; i++) {
            from = lines.get(i).startsWith("last=") ? i : -1;
        }
        int to = lines.indexOf(LauncherCase.END);
        assertTrue(from >= 0 && to > from, "the launcher's last=... and the generated case");
        return String.join("\n", lines.subList(from, to));
    }
}
