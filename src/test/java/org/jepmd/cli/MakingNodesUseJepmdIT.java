package org.jepmd.cli;

import org.jepmd.testing.Await;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ways docs/operations.md ("Making nodes use jepmd") and the README give to make real OTP nodes
 * use jepmd, each run with real {@code erl}, and the one that does not work (an {@code epmd} on
 * PATH: erl starts the {@code epmd} of its own installation). The port goes to erl and to the daemon
 * it starts through {@code ERL_EPMD_PORT}, as erl passes nothing else to that command.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MakingNodesUseJepmdIT {
    private final int port = FreePorts.next();
    private final String p = Integer.toString(port);
    private final List<Process> nodes = new ArrayList<>();

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Process node : nodes) {
            node.destroy();
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        Exec.killDaemons(port);
        // a real epmd that erl started on this port (the PATH case) answers KILL once its node is gone
        Exec.run(Requirements.epmd(), Exec.env(Map.of()), "-port", p, "-kill");
    }

    @Test
    void aServiceStartedBeforeTheNodesServesThemWhileErlsOwnEpmdExits() throws Exception {
        Exec.Result daemon = Exec.jepmd("-port", p, "-daemon");
        assertEquals(0, daemon.exit(), daemon.toString());
        // erl runs its own "epmd -daemon" (start_epmd defaults to true): the port is taken, it exits 0
        String name = startNode(Map.of("ERL_EPMD_PORT", p));
        awaitRegistered(name);
        assertIsJepmd();
    }

    @Test
    void theEpmdFlagMakesErlStartJepmd() throws Exception {
        String name = startNode(Map.of("ERL_EPMD_PORT", p), "-epmd", Exec.JEPMD + " -daemon");
        awaitRegistered(name);
        assertIsJepmd();
    }

    @Test
    void theEpmdFlagWorksThroughErlFlags() throws Exception {
        String name = startNode(Map.of("ERL_EPMD_PORT", p, "ERL_FLAGS", "-epmd \"" + Exec.JEPMD + " -daemon\""));
        awaitRegistered(name);
        assertIsJepmd();
    }

    @Test
    void startEpmdFalseUsesTheJepmdAlreadyRunning() throws Exception {
        assertEquals(0, Exec.jepmd("-port", p, "-daemon").exit());
        String name = startNode(Map.of("ERL_EPMD_PORT", p), "-start_epmd", "false");
        awaitRegistered(name);
        assertIsJepmd();
    }

    @Test
    void anEpmdOnPathIsNotWhatErlStarts(@TempDir Path bin) throws Exception {
        Path called = bin.resolve("called");
        Path fake = bin.resolve("epmd");
        Files.writeString(fake, "#!/bin/sh\ntouch '" + called + "'\nexec '" + Exec.JEPMD + "' \"$@\"\n");
        assertTrue(fake.toFile().setExecutable(true));
        Map<String, String> env = new HashMap<>(Map.of("ERL_EPMD_PORT", p));
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        String name = startNode(env);
        awaitRegistered(name);
        assertFalse(Files.exists(called), "erl ran the epmd on PATH");
        Exec.Result info = Exec.jepmd("-port", p, "-info");
        assertEquals(new Exec.Result(1, "epmd: the daemon on port " + p + " is not jepmd\n", ""), info,
                "erl started its own installation's epmd: " + info);
    }

    private String startNode(Map<String, String> extraEnv, String... erlArgs) {
        String name = "jepmd_use_" + nodes.size() + "_" + port;
        List<String> command = new ArrayList<>(List.of(Requirements.erl(), "-sname", name, "-noshell"));
        command.addAll(List.of(erlArgs));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(Exec.env(extraEnv));
        try {
            nodes.add(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return name;
    }

    private void awaitRegistered(String name) {
        Process node = nodes.get(nodes.size() - 1);
        String names = Await.poll(Duration.ofSeconds(30), () -> {
            assertTrue(node.isAlive(), "the node died: it found no daemon to register with");
            return Exec.jepmd("-port", p, "-names").out();
        }, out -> out.contains("name " + name + " at port "));
        assertTrue(names.startsWith("epmd: up and running on port " + p + " with data:\n"), names);
        assertTrue(names.contains("name " + name + " at port "), names);
    }

    private void assertIsJepmd() {
        Exec.Result info = Exec.jepmd("-port", p, "-info");
        assertEquals(0, info.exit(), info.toString());
        assertTrue(info.out().startsWith("implementation: jepmd\n"), info.toString());
    }
}
