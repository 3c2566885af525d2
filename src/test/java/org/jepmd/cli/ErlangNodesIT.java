package org.jepmd.cli;

import org.jepmd.testing.Await;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Erlang nodes starting jepmd themselves, as they start epmd (docs/protocol.md, What a real node expects):
 * {@code erl -epmd "scripts/jepmd -daemon"} runs the command with {@code system()} and registers
 * right after it returns, so jepmd must already listen then.
 */
class ErlangNodesIT {
    private final int port = FreePorts.next();
    private Process nodeA;

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (nodeA != null) {
            nodeA.destroy();
            if (!nodeA.waitFor(10, TimeUnit.SECONDS)) {
                nodeA.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        Exec.jepmd("-port", Integer.toString(port), "-kill");
        Exec.killDaemons(port);
    }

    @Test
    void aNodeStartsJepmdRegistersAndIsReachableFromASecondNode() throws InterruptedException {
        String erl = Requirements.erl();
        String p = Integer.toString(port);
        Map<String, String> env = Exec.env(Map.of("ERL_EPMD_PORT", p));
        String a = "jepmd_a_" + port;
        ProcessBuilder builder = new ProcessBuilder(erl, "-sname", a, "-noshell", "-epmd", Exec.JEPMD + " -daemon")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            nodeA = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        String names = Await.poll(Duration.ofSeconds(30), () -> {
            assertTrue(nodeA.isAlive(), "node a died: it found no epmd listening when it registered");
            return Exec.jepmd(env, "-names").out();
        }, out -> out.contains("name " + a + " at port "));
        assertTrue(names.startsWith("epmd: up and running on port " + p + " with data:\n"), names);
        assertTrue(names.contains("name " + a + " at port "), names);

        String ping = "[_, Host] = string:split(atom_to_list(node()), \"@\"),"
                + " io:format(\"~p~n\", [net_adm:ping(list_to_atom(\"" + a + "@\" ++ Host))]), halt().";
        Exec.Result b = Exec.run(erl, env, "-sname", "jepmd_b_" + port, "-noshell", "-start_epmd", "false", "-eval", ping);
        assertEquals(new Exec.Result(0, "pong\n", ""), b, b.toString());
    }
}
