package org.jepmd.cli;

import org.jepmd.server.ServerConfig;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as epmd parses it (docs/protocol.md, Options and Environment), through
 * {@code CommandLine.execute}.
 */
class EpmdCommandTest {
    private static final Map<String, String> NO_ENV = Map.of();

    /** What a command line printed and returned. */
    record Run(int exit, String out, String err) {
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = EpmdCommand.commandLine(env, new PrintStream(out, true), new PrintStream(err, true)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    /** The daemon configuration the arguments and environment give (parsing only, nothing runs). */
    static ServerConfig config(Map<String, String> env, String... args) {
        PrintStream nowhere = new PrintStream(ByteArrayOutputStream.nullOutputStream());
        CommandLine commandLine = EpmdCommand.commandLine(env, nowhere, nowhere);
        commandLine.parseArgs(args);
        EpmdArgumentRules.check(commandLine, List.of(args));
        return commandLine.<EpmdCommand>getCommand().serverConfig().build();
    }

    // ---- usage errors: epmd's usage text on stderr, exit 1, nothing on stdout ----

    @ParameterizedTest(name = "usage error: {0}")
    @ValueSource(strings = {
        "-names -port 4370",            // a client action must be the last argument
        "-kill -d",
        "-dump -port 4370",
        "-started -d",
        "-names -names",
        "-stop",                        // -stop NAME: exactly the last two arguments
        "-stop a b",
        "-stop a -names",
        "-port 0",                      // 0 and non-numbers read as 0: usage
        "-port abc -names",
        "-port",                        // missing values
        "-address",
        "-packet_timeout",
        "-packet_timeout 0",
        "-packet_timeout x",
        "-delay_accept 0",
        "-delay_accept",
        "-delay_write 0",
        "-delay_write",
        "-port -names",                 // the value is taken verbatim: atoi("-names") = 0
        "-foo",                         // anything else
        "names",
        "--",
        "-port=4370 -names",            // no option=value, no clusters, no @files, no abbreviations
        "-dd",
        "@args.txt",
        "-nam",
        "-relaxed_command_check true",
        "--port 4370",
    })
    void usageErrorsPrintEpmdsUsageOnStderrAndExit1(String line) {
        Run run = run(NO_ENV, line.split(" "));
        assertEquals(1, run.exit());
        assertEquals(Usage.epmdUsage(), run.err());
        assertEquals("", run.out());
    }

    @Test
    void usageTextIsEpmdsOwn() {
        String usage = Usage.epmdUsage();
        assertTrue(usage.startsWith("usage: epmd [-d|-debug] [DbgExtra...] [-address List]\n"
                + "            [-port No] [-daemon] [-relaxed_command_check]\n"
                + "       epmd [-d|-debug] [-port No] [-names|-kill|-stop name]\n\n"), usage);
        assertTrue(usage.contains("    -systemd\n"), "the reference build has -systemd");
        assertTrue(usage.endsWith("        (only allowed if -relaxed_command_check was given when \n"
                + "        epmd was started).\n"), "ends as epmd's, trailing space included");
    }

    @Test
    void helpPrintsEpmdsUsageAndJepmdsOptionsOnStdoutAndExits0() {
        for (String flag : List.of("-h", "--help")) {
            Run run = run(NO_ENV, flag);
            assertEquals(0, run.exit());
            assertTrue(run.out().startsWith(Usage.epmdUsage()), run.out());
            assertTrue(run.out().contains("jepmd options\n    -h, --help\n"), run.out());
            assertTrue(run.out().contains("    -version, --version\n"), run.out());
            assertTrue(run.out().contains("ERL_EPMD_RELAXED_COMMAND_CHECK"), run.out());
            assertEquals("", run.err());
        }
    }

    @Test
    void versionComesFromTheManifestOrSaysDevelopmentBuild() {
        for (String flag : List.of("-version", "--version")) {
            Run run = run(NO_ENV, flag);
            assertEquals(0, run.exit());
            assertTrue(run.out().matches("jepmd (\\d+\\.\\d+\\.\\d+\\S*|\\(development build\\))\\R"), run.out());
        }
    }

    // ---- options and environment ----

    @Test
    void defaultsAreEpmds() {
        ServerConfig config = config(NO_ENV);
        assertEquals(4369, config.port());
        assertEquals(List.of(), config.addresses());
        assertFalse(config.relaxedCommandCheck());
        assertEquals(Duration.ofSeconds(60), config.packetTimeout());
        assertEquals(Duration.ZERO, config.delayAccept());
        assertEquals(Duration.ZERO, config.delayWrite());
        assertEquals(0, config.debugLevel());
    }

    @Test
    void portComesFromTheFlagThenErlEpmdPortThenTheDefault() {
        assertEquals(4370, config(NO_ENV, "-port", "4370").port());
        assertEquals(4371, config(Map.of("ERL_EPMD_PORT", "4371")).port());
        assertEquals(4370, config(Map.of("ERL_EPMD_PORT", "4371"), "-port", "4370").port());
        assertEquals(4372, config(NO_ENV, "-port", "4370", "-port", "4372").port(), "the last flag wins");
    }

    @Test
    void erlEpmdPortIsReadWithAtoiSoTextMeansAnEphemeralPort() {
        assertEquals(0, config(Map.of("ERL_EPMD_PORT", "abc")).port());
        assertEquals(0, config(Map.of("ERL_EPMD_PORT", "")).port());
        assertEquals(4370, config(Map.of("ERL_EPMD_PORT", " 4370x")).port());
    }

    @Test
    void portBeyond65535IsKeptAndBoundModulo65536() {
        ServerConfig config = config(NO_ENV, "-port", "70000");
        assertEquals(70000, config.port());
        assertEquals(4464, config.bindPort());
    }

    @Test
    void addressesComeFromTheFlagElseErlEpmdAddress() {
        assertEquals(List.of("10.0.0.1", "::1"), config(NO_ENV, "-address", "10.0.0.1, ::1").addresses());
        assertEquals(List.of("10.0.0.2"), config(Map.of("ERL_EPMD_ADDRESS", "10.0.0.2")).addresses());
        assertEquals(List.of("10.0.0.1"),
                config(Map.of("ERL_EPMD_ADDRESS", "10.0.0.2"), "-address", "10.0.0.1").addresses());
        assertEquals(List.of(), config(Map.of("ERL_EPMD_ADDRESS", " ,, ")).addresses());
        assertEquals(List.of("-names"), config(NO_ENV, "-address", "-names").addresses(),
                "the value is taken verbatim, as epmd does (and then refused when binding)");
    }

    @Test
    void relaxedCommandCheckIsOnWhenTheVariableIsSetToAnythingOrTheFlagIsGiven() {
        assertTrue(config(Map.of("ERL_EPMD_RELAXED_COMMAND_CHECK", "")).relaxedCommandCheck());
        assertTrue(config(Map.of("ERL_EPMD_RELAXED_COMMAND_CHECK", "false")).relaxedCommandCheck());
        assertTrue(config(NO_ENV, "-relaxed_command_check").relaxedCommandCheck());
        assertFalse(config(Map.of("ERL_EPMD_RELAXED", "1")).relaxedCommandCheck());
    }

    @Test
    void eachDebugFlagRaisesTheDebugLevel() {
        assertEquals(1, config(NO_ENV, "-d").debugLevel());
        assertEquals(2, config(NO_ENV, "-d", "-debug").debugLevel());
        assertEquals(3, config(NO_ENV, "-debug", "-port", "4370", "-d", "-d").debugLevel());
        assertEquals(5, config(NO_ENV, "-d").maxUnusedNames());
    }

    @Test
    void timingOptionsAreSeconds() {
        ServerConfig config = config(NO_ENV, "-packet_timeout", "5", "-delay_accept", "2", "-delay_write", "3");
        assertEquals(Duration.ofSeconds(5), config.packetTimeout());
        assertEquals(Duration.ofSeconds(2), config.delayAccept());
        assertEquals(Duration.ofSeconds(3), config.delayWrite());
    }

    @Test
    void daemonAndSystemdAreAcceptedAnywhereBeforeAnAction() {
        config(NO_ENV, "-daemon", "-systemd", "-port", "4370");
        Run run = run(NO_ENV, "-systemd", "-daemon", "-port", Integer.toString(FreePorts.next()), "-started");
        assertEquals(1, run.exit(), "no daemon there; and not a usage error");
        assertEquals("", run.err());
    }

    // ---- client actions through the command ----

    @Test
    void namesUsesThePortOfTheFlagsBeforeIt() {
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            String port = Integer.toString(jepmd.port());
            Run run = run(Map.of("ERL_EPMD_PORT", "1"), "-d", "-port", port, "-names");
            assertEquals(new Run(0, "epmd: up and running on port " + port + " with data:\n", ""), run);
        }
    }

    @Test
    void clientActionsUseErlEpmdPort() {
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.relaxedCommandCheck(true))) {
            Map<String, String> env = Map.of("ERL_EPMD_PORT", Integer.toString(jepmd.port()));
            assertEquals(new Run(0, "", ""), run(env, "-started"));
            assertEquals(new Run(0, "NOEXIST\n", ""), run(env, "-stop", "nobody"));
            assertEquals(new Run(0, "Killed\n", ""), run(env, "-kill"));
        }
    }

    @Test
    void stopTakesTheNextArgumentVerbatimAsTheName() {
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.relaxedCommandCheck(true));
             EpmdWire.Conn node = EpmdWire.connect(jepmd.port())) {
            node.send(EpmdWire.frame(EpmdWire.alive2("-d", 5000)));
            assertEquals('v', node.readExactly(6, 2000)[0]);
            Run run = run(NO_ENV, "-port", Integer.toString(jepmd.port()), "-stop", "-d");
            assertEquals(new Run(0, "STOPPED\n", ""), run);
        }
    }

    @Test
    void noDaemonMeansCannotConnectOnStderr() {
        Run run = run(NO_ENV, "-port", Integer.toString(FreePorts.next()), "-names");
        assertEquals(new Run(1, "", "epmd: Cannot connect to local epmd\n"), run);
    }
}
