package org.jepmd.hardening;

import org.jepmd.testing.ErlNode;
import org.jepmd.testing.Requirements;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * erlang/otp#11083 with real nodes: a node that stops and restarts distribution under one name
 * must never be told the name is in use, while a name held by a live node is still refused.
 */
class TakeoverWithRealNodesTest {
    private static final Pattern RESULT = Pattern.compile("loops (\\d+) ok (\\d+) failed (\\d+) ms (\\d+)");

    @TempDir
    Path beams;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNodeRestartingDistribution1000TimesIsNeverRefused() throws Exception {
        compileLoop();
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            ErlNode looper = ErlNode.start(jepmd.port(), "-pa", beams.toString(), "-s", "takeover_loop", "main", "1000");
            try {
                assertTrue(looper.awaitExit(50), "loop did not finish: " + looper.output());
                Matcher m = RESULT.matcher(looper.output());
                assertTrue(m.find(), looper.output());
                assertEquals(1000, Integer.parseInt(m.group(1)));
                assertEquals(0, Integer.parseInt(m.group(3)), "false 'name in use' refusals: " + m.group());
            } finally {
                looper.close();
            }
            assertTrue(jepmd.server().registry().isEmpty(), "the last stop left a registration behind");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNameHeldByALiveNodeIsStillRefused() {
        try (RunningJepmd jepmd = RunningJepmd.start();
             ErlNode holder = ErlNode.sname("holder", jepmd.port())) {
            assertTrue(Lookups.millisUntil(() -> Lookups.resolvable(jepmd.port(), "holder"), 15_000) >= 0,
                    "holder never registered: " + holder.output());
            int holderPort = Lookups.nodePort(jepmd.port(), "holder");
            try (ErlNode intruder = ErlNode.sname("holder", jepmd.port())) {
                assertTrue(intruder.awaitExit(20), "a second node with a live node's name started");
                assertFalse(intruder.process().exitValue() == 0 && intruder.output().isEmpty());
            }
            assertEquals(holderPort, Lookups.nodePort(jepmd.port(), "holder"), "the live holder lost its name");
        }
    }

    private void compileLoop() throws IOException, InterruptedException {
        String erlc = Requirements.require("erlc", "install erlang-base");
        Process p = new ProcessBuilder(erlc, "-o", beams.toString(), "scripts/takeover_loop.erl")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "erlc hung");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }
}
