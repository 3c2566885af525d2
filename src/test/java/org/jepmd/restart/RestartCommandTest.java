package org.jepmd.restart;

import org.jepmd.daemon.DaemonStatus;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.ServerConfig;
import org.jepmd.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jepmd -restart}'s decision of what the new daemon is, against a running daemon in this JVM:
 * the running arguments or the options given, {@code -daemon}, the hand-over socket and the port;
 * refused outside the launcher, for a daemon under systemd, and where no daemon runs.
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

    /** The environment of {@code -restart}'s JVM as the launcher starts it, a daemon running. */
    private Map<String, String> runningDaemon(String... arguments) throws Exception {
        Map<String, String> env = launched();
        old = EpmdServer.start(ServerConfig.builder().port(port).addresses(List.of("127.0.0.1"))
                .arguments(List.of(arguments)).build());
        assertTrue(RestartListener.open(old, HandoverPaths.of(env)) != null, "hand-over socket");
        return env;
    }

    private Map<String, String> launched() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("XDG_RUNTIME_DIR", tmp.toString());
        env.put(DaemonStatus.ENV, DaemonStatus.ON_STDERR);
        return env;
    }

    private record Outcome(RestartCommand.NewDaemon daemon, String err) {
    }

    private Outcome newDaemon(Map<String, String> env, List<String> daemonOptions) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // not /tmp/jepmd-UID, where a daemon killed by another test or run may have left its socket
        HandoverPaths withoutRuntimeDir = HandoverPaths.in(tmp.resolve("without-runtime-dir"));
        RestartCommand.NewDaemon daemon = new RestartCommand(port, env, withoutRuntimeDir,
                new PrintStream(err, true, StandardCharsets.UTF_8)).newDaemon(daemonOptions);
        return new Outcome(daemon, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theNewDaemonGetsTheRunningArgumentsTheHandoverSocketAndThePort() throws Exception {
        Map<String, String> env = runningDaemon("-relaxed_command_check", "-d");
        Outcome outcome = newDaemon(env, null);
        assertEquals("", outcome.err());
        assertEquals(List.of("-relaxed_command_check", "-d", "-daemon"), outcome.daemon().arguments());
        assertEquals(HandoverPaths.of(env).socket(port).toString(), outcome.daemon().env().get(Takeover.ENV));
        assertEquals(Integer.toString(port), outcome.daemon().env().get("ERL_EPMD_PORT"));
        assertEquals(tmp.toString(), outcome.daemon().env().get("XDG_RUNTIME_DIR"));
    }

    @Test
    void optionsGivenReplaceTheRunningOnes() throws Exception {
        Map<String, String> env = runningDaemon("-port", Integer.toString(port), "-relaxed_command_check");
        Outcome outcome = newDaemon(env, List.of("-port", Integer.toString(port), "-d", "-daemon"));
        assertEquals(List.of("-port", Integer.toString(port), "-d", "-daemon"), outcome.daemon().arguments());
    }

    @Test
    void refusedOutsideTheLauncherUnderSystemdAndWithoutADaemon() throws Exception {
        Map<String, String> outside = new HashMap<>(launched());
        outside.remove(DaemonStatus.ENV);
        Outcome refused = newDaemon(outside, null);
        assertNull(refused.daemon());
        assertEquals("epmd: cannot restart: -restart is run by the launcher (scripts/jepmd), which starts the new daemon\n",
                refused.err());

        Outcome none = newDaemon(launched(), null);
        assertNull(none.daemon());
        assertEquals("epmd: cannot restart: no jepmd daemon to restart on port " + port + " (no "
                + HandoverPaths.of(launched()).socket(port) + ")\n", none.err());

        Map<String, String> env = runningDaemon("-systemd");
        Outcome systemd = newDaemon(env, null);
        assertNull(systemd.daemon());
        assertEquals("epmd: cannot restart: a daemon under systemd restarts with systemctl restart\n", systemd.err());
        assertFalse(old.terminated().isDone(), "the daemon serves on");
    }

    @Test
    void aDaemonStartedWithoutTheRuntimeDirIsLookedForUnderTheOtherDirectory() throws Exception {
        Path directory = Files.createDirectory(tmp.resolve("without-runtime-dir"));
        Path stale = HandoverPaths.in(directory).socket(port);
        try (ServerSocketChannel died = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            died.bind(UnixDomainSocketAddress.of(stale)); // closing leaves the name, as a killed daemon does
        }
        Outcome outcome = newDaemon(launched(), null);
        assertNull(outcome.daemon());
        assertEquals("epmd: cannot restart: no daemon to restart at " + stale + " (Connection refused)\n", outcome.err());
    }
}
