package org.jepmd.cli;

import org.jepmd.client.EpmdClient;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code -max_connections 3} with three local nodes registered: the local operator still gets in. */
class LowConnectionCapTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void namesAndKillStillWorkWhenLocalNodesFillTheCap() {
        try (RunningJepmd jepmd = RunningJepmd.start(b -> b.connectionLimits(HardeningOptions.limits(3, null, null, null)))) {
            List<EpmdWire.Conn> nodes = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    EpmdWire.Conn node = EpmdWire.connect(jepmd.port()).send(EpmdWire.frame(EpmdWire.alive2("n" + i, 5000 + i)));
                    assertEquals(0, node.readExactly(6, 2_000)[1], "n" + i + " registered");
                    nodes.add(node);
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                EpmdClient client = new EpmdClient(jepmd.port(), new PrintStream(out, true), new PrintStream(out, true));
                assertEquals(0, client.names());
                assertEquals("epmd: up and running on port " + jepmd.port() + " with data:\n"
                        + "name n2 at port 5002\nname n1 at port 5001\nname n0 at port 5000\n",
                        out.toString(StandardCharsets.ISO_8859_1));
                out.reset();
                assertEquals(1, client.kill());
                assertEquals("Killing not allowed - living nodes in database.\n", out.toString(StandardCharsets.ISO_8859_1));
            } finally {
                nodes.forEach(EpmdWire.Conn::close);
            }
        }
    }
}
