package org.jepmd.cli;

import org.jepmd.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shell blocks the docs mark with {@code <!-- doc-test ... -->} run as written, from the project
 * directory, with {@code ERL_EPMD_PORT} set to a free port (the blocks take their port from it),
 * under {@code bash -euo pipefail}: every command must succeed. Each such block starts a daemon,
 * lists its names and kills it.
 */
class DocumentedCommandsIT {
    private static final Pattern MARKED_BLOCK = Pattern.compile("<!-- doc-test[^>]*-->\\n```sh\\n(.*?)```", Pattern.DOTALL);
    private final int port = FreePorts.next();

    @AfterEach
    void killWhatTheBlocksStarted() {
        Exec.killDaemons(port);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"README.md", "docs/operations.md"})
    void markedShellBlocksRunAsWritten(String doc) throws IOException {
        List<String> blocks = markedBlocks(Path.of(doc));
        assertFalse(blocks.isEmpty(), doc + " has no block marked doc-test");
        for (String block : blocks) {
            Exec.Result run = Exec.run("bash", Exec.env(Map.of("ERL_EPMD_PORT", Integer.toString(port))),
                    "-euo", "pipefail", "-c", block);
            assertEquals(0, run.exit(), block + "\n" + run);
            assertTrue(run.out().contains("epmd: up and running on port " + port + " with data:\n"), block + "\n" + run);
            assertTrue(run.out().contains("Killed\n"), block + "\n" + run);
            assertEquals(1, Exec.jepmd(Map.of("ERL_EPMD_PORT", Integer.toString(port)), "-started").exit(),
                    "the block left a daemon running: " + block);
        }
    }

    static List<String> markedBlocks(Path doc) throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher block = MARKED_BLOCK.matcher(Files.readString(doc));
        while (block.find()) {
            blocks.add(block.group(1));
        }
        return blocks;
    }
}
