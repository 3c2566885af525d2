package org.jepmd.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build has generated (GenerateDocs in process-test-classes, asciidoctor in prepare-package) the man page and the shell completion from the
 * picocli command, so both list every option, jepmd's own included.
 */
class GeneratedDocsIT {
    private static final Path DOCS = Path.of("target/generated-docs");

    @Test
    void theManPageIsRoffWithEveryOption() throws IOException {
        Path page = DOCS.resolve("man/jepmd.1");
        assertTrue(Files.isRegularFile(page), page + " was not generated");
        String roff = Files.readString(page);
        assertTrue(roff.contains(".TH \"JEPMD\" \"1\""), roff);
        for (String option : new String[] {"\\-names", "\\-relaxed_command_check", "\\-systemd", "\\-http", "\\-audit"}) {
            assertTrue(roff.contains(option), option);
        }
        assertTrue(roff.contains("ERL_EPMD_PORT"));
    }

    @Test
    void theBashCompletionCompletesEveryOption() throws IOException {
        Path completion = DOCS.resolve("jepmd_completion");
        assertTrue(Files.isRegularFile(completion), completion + " was not generated");
        String script = Files.readString(completion);
        assertTrue(script.contains("complete -F _complete_jepmd"), script);
        for (String option : new String[] {"-names", "-stop", "-systemd", "-http", "-audit"}) {
            assertTrue(script.contains(option), option);
        }
    }

    @Test
    void everyOptionDescriptionIsOneParagraphAndTheSynopsisKeepsParameterLabelsWhole() throws IOException {
        String roff = Files.readString(DOCS.resolve("man/jepmd.1"));
        String options = roff.substring(roff.indexOf(".SH \"OPTIONS\""), roff.indexOf(".SH \"EXIT STATUS\""));
        for (String block : options.split("\\.RS 4\n")) {
            String body = block.contains(".RE") ? block.substring(0, block.indexOf(".RE")) : "";
            assertFalse(body.contains(".sp"), "an option description split into paragraphs:\n" + body);
        }
        assertTrue(roff.contains("[\\fB\\-http\\fP \\fIAddress:Port\\fP]"), "the -http synopsis");
        assertTrue(roff.contains("[\\fB\\-allow_query\\fP \\fICIDR,...\\fP]"), "the -allow_query synopsis");
    }

    @Test
    void bashCompletesJepmdAndItsEpmdName() throws Exception {
        Process bash = new ProcessBuilder("bash", "-c", "source " + DOCS.resolve("jepmd_completion")
                + " && complete -p jepmd && complete -p epmd").redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes());
        assertEquals(0, bash.waitFor(), out);
        assertTrue(out.contains("-F _complete_jepmd") && out.trim().endsWith(" epmd"), out);
    }
}
