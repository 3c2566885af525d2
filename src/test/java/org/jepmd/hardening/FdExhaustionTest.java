package org.jepmd.hardening;

import org.jepmd.testing.Pause;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.JepmdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Out of descriptors (EMFILE): epmd before the 2026 fix exits (docs/protocol.md, Connections); jepmd logs once per
 * burst, keeps running and serves again once descriptors are free. jepmd runs under {@code ulimit -n 96} with a
 * connection cap above it, so that accept() itself runs out (by default the cap fits the limit).
 */
class FdExhaustionTest {
    private static final int FLOOD = 160;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void outOfDescriptorsTheDaemonLogsOncePerBurstKeepsRunningAndRecovers() throws Exception {
        int port = FreePorts.next();
        try (JepmdProcess jepmd = JepmdProcess.start("ulimit -n 96;", port, "-max_connections", "50000")) {
            try (EpmdWire.Conn node = EpmdWire.connect(port)) {
                node.send(EpmdWire.frame(EpmdWire.alive2("survivor", 4321)));
                assertEquals(0, node.readExactly(6, 2_000)[1]);
                for (int burst = 1; burst <= 2; burst++) {
                    flood(port);
                    assertTrue(jepmd.process().isAlive(), "jepmd died when out of descriptors: " + jepmd.output());
                    int b = burst;
                    assertTrue(Lookups.millisUntil(() -> count(jepmd.output(), "accepting connections again") == b,
                            10_000) >= 0, "no recovery after burst " + burst + ": " + tail(jepmd.output()));
                    assertEquals(burst, count(jepmd.output(), "error in accept: Too many open files"),
                            "accept errors must be logged once per burst");
                    assertEquals(4321, Lookups.nodePort(port, "survivor"), "the registration was lost");
                    Pause.millis(1_500); // failures more than 1 s apart are separate bursts
                }
                byte[] names = EpmdWire.request(port, EpmdWire.names());
                assertTrue(new String(names, 4, names.length - 4).contains("name survivor at port 4321"));
            }
        }
    }

    /** Opens more connections than jepmd has descriptors, holds them a moment, closes them all. */
    private static void flood(int port) throws IOException {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < FLOOD; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000); // the kernel's backlog takes it
                held.add(s);
            }
            Pause.millis(1_000);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String tail(String text) {
        return text.substring(Math.max(0, text.length() - 2_000));
    }
}
