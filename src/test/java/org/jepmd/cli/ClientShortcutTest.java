package org.jepmd.cli;

import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The picocli-free client path must act exactly as {@link EpmdCommand} for the lines it takes. */
class ClientShortcutTest {

    static EpmdCommandTest.Run shortcut(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OptionalInt exit = ClientShortcut.run(args, env, new PrintStream(out, true), new PrintStream(err, true));
        assertTrue(exit.isPresent(), "the shortcut declined " + List.of(args));
        return new EpmdCommandTest.Run(exit.getAsInt(), out.toString(StandardCharsets.ISO_8859_1),
                err.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void plainClientLinesGiveTheSameResultAsTheCommand() {
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.relaxedCommandCheck(true))) {
            String port = Integer.toString(jepmd.port());
            Map<String, String> env = Map.of("ERL_EPMD_PORT", port);
            List<String[]> lines = List.of(
                    new String[] {"-names"},
                    new String[] {"-port", port, "-names"},
                    new String[] {"-port", "1", "-port", port, "-d", "-dump"},
                    new String[] {"-d", "-debug", "-daemon", "-relaxed_command_check", "-systemd", "-started"},
                    new String[] {"-address", "-names", "-packet_timeout", "5", "-delay_accept", "1",
                        "-delay_write", "1", "-names"},
                    new String[] {"-stop", "nobody"},
                    new String[] {"-port", port + "junk", "-stop", "-names"});
            for (String[] line : lines) {
                assertEquals(EpmdCommandTest.run(env, line), shortcut(env, line), List.of(line).toString());
            }
            // and against a port where nothing listens, through the environment
            Map<String, String> nowhere = Map.of("ERL_EPMD_PORT", "abc");
            assertEquals(EpmdCommandTest.run(nowhere, "-names"), shortcut(nowhere, "-names"));
        }
    }

    @Test
    void killGivesTheSameResultAsTheCommand() {
        EpmdCommandTest.Run viaCommand;
        EpmdCommandTest.Run viaShortcut;
        try (RunningJepmd jepmd = RunningJepmd.start()) { // -kill ends its daemon: one each
            viaCommand = EpmdCommandTest.run(Map.of(), "-port", Integer.toString(jepmd.port()), "-kill");
        }
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            viaShortcut = shortcut(Map.of(), "-port", Integer.toString(jepmd.port()), "-kill");
        }
        assertEquals(new EpmdCommandTest.Run(0, "Killed\n", ""), viaShortcut);
        assertEquals(viaCommand, viaShortcut);
    }

    @Test
    void restartKeepingTheRunningOptionsGivesTheSameResultAsTheCommand() {
        Map<String, String> env = Map.of("ERL_EPMD_PORT", "4370", "XDG_RUNTIME_DIR", "/nonexistent");
        for (String[] line : List.of(new String[] {"-restart"}, new String[] {"-port", "4371", "-restart"})) {
            EpmdCommandTest.Run viaShortcut = shortcut(env, line);
            assertEquals(1, viaShortcut.exit(), viaShortcut.toString());
            assertEquals(EpmdCommandTest.run(env, line), viaShortcut, List.of(line).toString());
        }
        // daemon options before it are picocli's to check
        assertTrue(ClientShortcut.run(new String[] {"-d", "-restart"}, env, System.out, System.err).isEmpty());
        assertTrue(ClientShortcut.run(new String[] {"-names", "-restart"}, env, System.out, System.err).isEmpty());
    }

    @Test
    void everythingElseIsLeftToTheCommand() {
        List<String[]> lines = List.of(
                new String[] {},
                new String[] {"-port", "4370"},
                new String[] {"-daemon"},
                new String[] {"-names", "-port", "4370"},
                new String[] {"-port", "0", "-names"},
                new String[] {"-port", "-names"},
                new String[] {"-packet_timeout", "x", "-names"},
                new String[] {"-stop"},
                new String[] {"-stop", "a", "b"},
                new String[] {"-h"},
                new String[] {"-version", "-names"},
                new String[] {"-foo", "-names"},
                new String[] {"-port=4370", "-names"});
        PrintStream fail = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("the shortcut must not print when it declines");
            }
        });
        for (String[] line : lines) {
            assertTrue(ClientShortcut.run(line, Map.of(), fail, fail).isEmpty(), List.of(line).toString());
        }
    }
}
