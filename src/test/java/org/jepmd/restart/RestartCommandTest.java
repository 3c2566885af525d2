package org.jepmd.restart;

import org.jepmd.server.EpmdServer;
import org.jepmd.server.ServerConfig;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jepmd -restart}'s command side against a running daemon in this JVM and a stand-in launcher:
 * what the launcher is given, and that a launcher that never starts Java ends the command at once
 * with its own line, the old daemon serving on.
 */
class RestartCommandTest {
    @TempDir
    Path tmp;
    private final int port = FreePorts.next();
    private EpmdServer old;

    @AfterEach
    void stop() {
        if (old != null) {
            old.close();
        }
    }

    private Map<String, String> runningDaemon() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("XDG_RUNTIME_DIR", tmp.toString());
        old = EpmdServer.start(ServerConfig.builder().port(port).addresses(List.of("127.0.0.1"))
                .arguments(List.of("-port", Integer.toString(port), "-relaxed_command_check")).build());
        assertTrue(RestartListener.open(old, HandoverPaths.of(env)) != null, "hand-over socket");
        return env;
    }

    /** A launcher that records its arguments and hand-over socket, then runs {@code then}. */
    private Path launcher(String then) throws Exception {
        Path script = tmp.resolve("launcher");
        Files.writeString(script, "#!/bin/sh\necho \"$* $JEPMD_TAKEOVER\" > " + tmp.resolve("given") + "\n" + then + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private record Outcome(int exit, String err, long millis) {
    }

    private Outcome restart(Map<String, String> env, List<String> daemonOptions) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int exit = new RestartCommand(port, env, new PrintStream(err, true, StandardCharsets.UTF_8)).restart(daemonOptions);
        return new Outcome(exit, err.toString(StandardCharsets.UTF_8), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private boolean oldServes() {
        byte[] reply = EpmdWire.request(port, EpmdWire.names());
        return reply.length >= 4 && !old.terminated().isDone();
    }

    @Test
    void theLauncherGetsTheRunningArgumentsAndItsFailureLineIsTheAnswer() throws Exception {
        Map<String, String> env = runningDaemon();
        env.put(RestartCommand.LAUNCHER_ENV, launcher("echo 'jepmd: no Java found: test' >&2; exit 1").toString());
        Outcome outcome = restart(env, null);
        assertEquals(new Outcome(1, "jepmd: no Java found: test\n", 0), new Outcome(outcome.exit(), outcome.err(), 0));
        assertTrue(outcome.millis() < 20_000, "waited " + outcome.millis() + " ms for a launcher that failed");
        Path socket = HandoverPaths.of(env).socket(port);
        assertEquals("-port " + port + " -relaxed_command_check -daemon " + socket + "\n",
                Files.readString(tmp.resolve("given")));
        assertTrue(oldServes(), "the old daemon serves on");
    }

    @Test
    void optionsGivenReplaceTheRunningOnesAndASilentLauncherIsAFailure() throws Exception {
        Map<String, String> env = runningDaemon();
        env.put(RestartCommand.LAUNCHER_ENV, launcher("exit 0").toString());
        Outcome outcome = restart(env, List.of("-port", Integer.toString(port), "-d"));
        assertEquals(1, outcome.exit());
        assertEquals("epmd: the launcher exited before starting the daemon\n", outcome.err());
        assertTrue(outcome.millis() < 20_000, "waited " + outcome.millis() + " ms for a launcher that ended");
        assertTrue(Files.readString(tmp.resolve("given")).startsWith("-port " + port + " -d -daemon "));
        assertTrue(oldServes(), "the old daemon serves on");
        assertFalse(old.terminated().isDone());
    }
}
