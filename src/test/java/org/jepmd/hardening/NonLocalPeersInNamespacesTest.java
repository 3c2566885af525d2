package org.jepmd.hardening;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.JepmdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spec 3.6 for real: from another network namespace (a genuinely non-local peer) ALIVE2, KILL,
 * STOP and DUMP are closed without a reply, while NAMES and PORT_PLEASE2 are answered.
 */
class NonLocalPeersInNamespacesTest {
    private static final int PORT = 4369;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aRemotePeerMayQueryButNotRegisterDumpKillOrStop() throws Exception {
        try (NetworkNamespaces ns = NetworkNamespaces.create();
             JepmdProcess jepmd = ns.startJepmd(PORT, "-relaxed_command_check")) {
            ns.registerLocalNode(PORT, "local1", 7001);

            assertTrue(ask(ns, EpmdWire.alive2("intruder", 7002)).closedSilently(), "remote ALIVE2 answered");
            assertTrue(ask(ns, new byte[] {'d'}).closedSilently(), "remote DUMP answered");
            assertTrue(ask(ns, EpmdWire.concat(new byte[] {'s'}, EpmdWire.utf8("local1"))).closedSilently(),
                    "remote STOP answered");
            assertTrue(ask(ns, new byte[] {'k'}).closedSilently(), "remote KILL answered");

            NetClient.Reply port2 = ask(ns, EpmdWire.portPlease2("local1"));
            assertTrue(port2.closed());
            assertEquals('w', port2.bytes()[0]);
            assertEquals(0, port2.bytes()[1], "registered name not found from the remote peer");
            assertEquals(7001, ((port2.bytes()[2] & 0xFF) << 8) | (port2.bytes()[3] & 0xFF));
            assertArrayEquals(new byte[] {'w', 1}, ask(ns, EpmdWire.portPlease2("intruder")).bytes(),
                    "a remote ALIVE2 registered a name");

            String names = new String(ask(ns, EpmdWire.names()).bytes(), StandardCharsets.ISO_8859_1);
            assertTrue(names.endsWith("name local1 at port 7001\n"), "NAMES from the remote peer: " + names);
            assertTrue(jepmd.process().isAlive(), "a remote KILL stopped the daemon");
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void allowQueryAndTheLoopbackReserveHoldForARealRemotePeer() throws Exception {
        try (NetworkNamespaces ns = NetworkNamespaces.create();
             JepmdProcess restricted = ns.startJepmd(PORT,
                     "-allow_query", "192.0.2.0/24", "-max_connections", "16", "-loopback_reserve", "4");
             JepmdProcess allowing = ns.startJepmd(PORT + 1, "-allow_query", ns.clientIp + "/30")) {
            assertTrue(ask(ns, EpmdWire.names()).closedSilently(), "NAMES answered outside -allow_query");
            assertTrue(ask(ns, EpmdWire.portPlease2("x")).closedSilently(), "PORT_PLEASE2 answered outside -allow_query");
            assertArrayEquals(new byte[] {'w', 1}, NetClient.request(ns.client, ns.serverIp, PORT + 1,
                    EpmdWire.frame(EpmdWire.portPlease2("x"))).bytes(), "a listed network was refused");

            // the remote peer fills its share (16; 4 more are kept for loopback); its next connection is closed at once
            Process crowd = ns.spawn(ns.client, "python3", "-c", String.join("\n",
                    "import socket, sys, time",
                    "held = [socket.create_connection(('" + ns.serverIp + "', " + PORT + "), timeout=5) for _ in range(16)]",
                    "print('held', len(held), flush=True)",
                    "time.sleep(600)"));
            assertEquals("held 16", new BufferedReader(new InputStreamReader(crowd.getInputStream(), StandardCharsets.UTF_8)).readLine());
            Thread.sleep(300);
            NetClient.Reply over = NetClient.request(ns.client, ns.serverIp, PORT, EpmdWire.frame(EpmdWire.names()));
            assertTrue(over.closedSilently(), "a connection over the remote share was kept");
            String local = String.join("\n",
                    "import socket",
                    "s = socket.create_connection(('127.0.0.1', " + PORT + "), timeout=3)",
                    "s.sendall(bytes.fromhex('00016e'))",
                    "got = b''",
                    "while True:",
                    "    d = s.recv(4096)",
                    "    if not d: break",
                    "    got += d",
                    "print(got.hex())");
            Process names = ns.spawn(ns.server, "python3", "-c", local);
            String reply = new String(names.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals("00001111", reply, "a loopback NAMES did not get in through the reserve");
            assertTrue(restricted.output().contains("NAMES_REQ from address not allowed to query"), restricted.output());
            assertTrue(restricted.output().contains("connection limit reached"), restricted.output());
        }
    }

    private static NetClient.Reply ask(NetworkNamespaces ns, byte[] payload) throws Exception {
        return NetClient.request(ns.client, ns.serverIp, PORT, EpmdWire.frame(payload));
    }
}
