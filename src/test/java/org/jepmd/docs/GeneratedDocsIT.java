package org.jepmd.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
