package org.jepmd.ops;

import org.jepmd.cli.EpmdCommand;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -http} takes a numeric address and a port; anything else is a usage error, as in epmd. */
class OperationsOptionsTest {

    @Test
    void anUnusableHttpAddressIsAUsageError() {
        for (String bad : new String[] {"localhost:9436", "9436", "127.0.0.1:99999", "::1:9436"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = EpmdCommand.commandLine(Map.of(), new PrintStream(out), new PrintStream(err))
                    .execute("-http", bad);
            assertEquals(1, exit, bad);
            assertEquals("", out.toString(StandardCharsets.UTF_8));
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: epmd "), bad);
        }
    }
}
