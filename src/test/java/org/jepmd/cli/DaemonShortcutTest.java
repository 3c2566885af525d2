package org.jepmd.cli;

import org.jepmd.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The picocli-free daemon path must configure exactly what {@link EpmdCommand} configures. */
class DaemonShortcutTest {
    private static final PrintStream NOWHERE = new PrintStream(ByteArrayOutputStream.nullOutputStream());
    private static final Map<String, String> ENV = Map.of("ERL_EPMD_PORT", "4370",
            "ERL_EPMD_ADDRESS", "127.0.0.1", "ERL_EPMD_RELAXED_COMMAND_CHECK", "");

    @ParameterizedTest(name = "same daemon: {0}")
    @ValueSource(strings = {
        "",
        "-daemon",
        "-port 4371 -daemon",
        "-d -debug -d -port 4371",
        "-port 1 -port 65535junk -address 127.0.0.1,::1 -daemon",
        "-address -port -port 7",       // an option's value is the next argument, whatever it is
        "-relaxed_command_check -systemd -daemon",
        "-packet_timeout 5 -delay_accept 2 -delay_write 3 -d",
        "-packet_timeout -1 -port +12",
    })
    void plainDaemonLinesGiveTheSameCommandAsPicocli(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        for (Map<String, String> env : List.of(Map.<String, String>of(), ENV)) {
            EpmdCommand viaPicocli = picocli(env, args);
            EpmdCommand viaShortcut = DaemonShortcut.parse(args, env, NOWHERE, NOWHERE);
            assertNotNull(viaShortcut, "the shortcut declined " + line);
            // the default connection cap fits the descriptors open at the instant of build(), which other
            // tests in this JVM change: the shortcut's config must equal picocli's built just before or after
            ServerConfig before = viaPicocli.serverConfig().build();
            ServerConfig built = viaShortcut.serverConfig().build();
            ServerConfig after = viaPicocli.serverConfig().build();
            if (!built.equals(after)) {
                assertEquals(before, built, line);
            }
            assertEquals(viaPicocli.operations(), viaShortcut.operations(), line);
            assertEquals(viaPicocli.daemon(), viaShortcut.daemon(), line);
        }
    }

    @ParameterizedTest(name = "left to picocli: {0}")
    @ValueSource(strings = {
        "-names",                       // client actions
        "-port 4371 -names",
        "-stop a",
        "-daemon -kill",
        "-port 0",                      // usage errors
        "-port abc -daemon",
        "-port",
        "-address",
        "-delay_write 0",
        "-dd",
        "-x",
        "-h",                           // jepmd's own options
        "-version",
        "-daemon -audit",
        "-http 127.0.0.1:9436",
        "-allow_query 10.0.0.0/8",
        "-max_connections 10",
    })
    void everythingElseIsLeftToPicocli(String line) {
        assertNull(DaemonShortcut.parse(line.split(" "), Map.of(), NOWHERE, NOWHERE), line);
    }

    @Test
    void aDaemonThatCannotListenGivesTheCommandsExitStatus() {
        // a bad address fails at start-up, before anything listens: exit 1 either way
        String[] args = {"-address", "not-an-address", "-port", "4371"};
        int viaPicocli = EpmdCommand.commandLine(Map.of(), NOWHERE, NOWHERE).execute(args);
        assertEquals(viaPicocli, DaemonShortcut.run(args, Map.of(), NOWHERE, NOWHERE).orElseThrow());
        assertEquals(1, viaPicocli);
    }

    private static EpmdCommand picocli(Map<String, String> env, String... args) {
        CommandLine commandLine = EpmdCommand.commandLine(env, NOWHERE, NOWHERE);
        commandLine.parseArgs(args);
        EpmdArgumentRules.check(commandLine, List.of(args));
        return commandLine.getCommand();
    }
}
