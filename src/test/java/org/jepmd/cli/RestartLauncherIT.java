package org.jepmd.cli;

import org.jepmd.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's part in {@code jepmd -restart}: it starts the new daemon's JVM itself and passes on
 * what that printed before its report, so each failure gives its own reason, exit status 1 and
 * nothing on stdout, the old daemon serving on. And a daemon started by {@code -restart} stops on
 * SIGTERM, as the one it replaced did, even when whatever ran {@code -restart} ignores SIGTERM (a
 * shell's {@code trap '' TERM}): the JVM never takes over an ignored shutdown signal, so the launcher
 * gives the new daemon SIGTERM's default.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RestartLauncherIT {
    private static final Pattern PID = Pattern.compile("(?m)^pid: (\\d+)$");
    private final int port = FreePorts.next();
    private final String p = Integer.toString(port);

    @AfterEach
    void stop() {
        Exec.killDaemons(port);
    }

    @Test
    void noDaemonOnThePort() {
        Exec.Result restart = Exec.jepmd("-port", p, "-restart");
        assertEquals(1, restart.exit(), restart.toString());
        assertEquals("", restart.out());
        // no hand-over socket, or one left by a daemon that died (a stale socket: nothing accepts there)
        assertTrue(restart.err().matches("epmd: cannot restart: (no jepmd daemon to restart on port " + p
                + " \\(no [^\n]*/restart-" + p + "\\)|no daemon to restart at [^\n]*/restart-" + p
                + " \\(Connection refused\\))\n"), restart.err());
    }

    @Test
    void aJvmThatCannotStartSaysWhyAndTheOldDaemonServesOn() {
        assertEquals(0, Exec.jepmd("-daemon", "-port", p).exit());
        String before = daemonPid();
        Exec.Result restart = Exec.jepmd(Map.of("JEPMD_OPTS", "-XX:+NoSuchOptionHere"), "-port", p, "-restart");
        assertEquals(1, restart.exit(), restart.toString());
        assertEquals("", restart.out());
        assertTrue(restart.err().contains("NoSuchOptionHere"), restart.err());
        assertEquals(before, daemonPid(), "the old daemon serves on");
    }

    @Test
    void aBadOptionGivesEpmdsUsage() {
        assertEquals(0, Exec.jepmd("-daemon", "-port", p).exit());
        String before = daemonPid();
        Exec.Result restart = Exec.jepmd("-port", p, "-bogus", "-restart");
        assertEquals(1, restart.exit(), restart.toString());
        assertEquals("", restart.out());
        assertTrue(restart.err().startsWith("usage: epmd "), restart.err());
        assertEquals(before, daemonPid(), "the old daemon serves on");
    }

    @Test
    void aDaemonRestartedFromACallerThatIgnoresSigtermStopsOnSigterm() throws Exception {
        assertEquals(0, Exec.jepmd("-daemon", "-port", p).exit());
        String oldPid = daemonPid();
        Exec.Result restart = Exec.run("bash", Exec.env(Map.of()), "-c",
                "trap '' TERM; exec \"$0\" -port \"$1\" -restart", Exec.JEPMD.toString(), p);
        assertEquals(new Exec.Result(0, "", ""), restart, restart.toString());
        String restarted = daemonPid();
        assertNotEquals(oldPid, restarted);
        long newPid = Long.parseLong(restarted);
        String ignored = Files.readAllLines(Path.of("/proc", Long.toString(newPid), "status")).stream()
                .filter(line -> line.startsWith("SigIgn:")).findFirst().orElseThrow();
        ProcessHandle daemon = ProcessHandle.of(newPid).orElseThrow();
        new ProcessBuilder("kill", "-TERM", Long.toString(newPid)).start().waitFor();
        Optional<ProcessHandle> exited = Optional.ofNullable(daemon.onExit().completeOnTimeout(null, 20, TimeUnit.SECONDS).join());
        assertTrue(exited.isPresent(), "the restarted daemon ignored SIGTERM (" + ignored + ")");
    }

    private String daemonPid() {
        Exec.Result info = Exec.jepmd("-port", p, "-info");
        Matcher pid = PID.matcher(info.out());
        assertTrue(pid.find(), info.toString());
        return pid.group(1);
    }
}
