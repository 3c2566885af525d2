package org.jepmd.hardening;

import org.jepmd.testing.Await;
import org.jepmd.testing.JepmdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With genuinely remote peers in another network namespace: IPv6 addresses of one /64 share one
 * per-peer cap, and {@code GET /nodes} obeys {@code -allow_query} as NAMES does, audited.
 */
class PeerGroupsAndHttpInNamespacesTest {
    private static final int PORT = 4369;

    /** Opens 2 connections from each of 20 source addresses and prints how many the daemon kept open. */
    private static final String CROWD = String.join("\n",
            "import socket, sys, time",
            "host, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]",
            "held = []",
            "for i in range(20):",
            "    for _ in range(2):",
            "        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)",
            "        s.bind((prefix + format(0x100 + i, 'x'), 0))",
            "        s.settimeout(5)",
            "        s.connect((host, port))",
            "        held.append(s)",
            "time.sleep(0.5)",
            "kept = 0",
            "for s in held:",
            "    s.settimeout(0.1)",
            "    try:",
            "        if s.recv(1): kept += 1",
            "    except socket.timeout:",
            "        kept += 1",
            "    except OSError:",
            "        pass",
            "print(kept)");

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void ipv6AddressesOfOne64ShareThePerPeerCap() throws Exception {
        try (NetworkNamespaces ns = NetworkNamespaces.create()) {
            String net = "fd00:6a:" + Integer.toHexString(ns.serverIp.hashCode() & 0xFFFF) + ":1::";
            ns.addIpv6(ns.server, net + "1", 64);
            for (int i = 0; i < 20; i++) {
                ns.addIpv6(ns.client, net + Integer.toHexString(0x100 + i), 64);
            }
            String server = net + "1";
            try (JepmdProcess grouped = start(ns, server, PORT)) {
                assertEquals("2", crowd(ns, server, PORT, net),
                        "connections kept from 20 addresses of one /64, 2 per peer");
                assertTrue(grouped.output().contains("per_peer limit"), grouped.output());
            }
            try (JepmdProcess perAddress = start(ns, server, PORT, "-ipv6_peer_prefix", "128")) {
                assertEquals("40", crowd(ns, server, PORT, net), "with -ipv6_peer_prefix 128 each address is a peer");
            }
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void nodesOverHttpIsRefusedOutsideAllowQueryAndAudited() throws Exception {
        try (NetworkNamespaces ns = NetworkNamespaces.create();
             JepmdProcess jepmd = ns.startJepmd(PORT,
                     "-http", ns.serverIp + ":9436", "-allow_query", "192.0.2.0/24", "-audit")) {
            assertEquals("403", httpStatus(ns.client, ns.serverIp, "/nodes"), "/nodes answered outside -allow_query");
            assertEquals("200", httpStatus(ns.client, ns.serverIp, "/health"), "/health is not restricted");
            assertTrue(NetClient.request(ns.client, ns.serverIp, PORT,
                    org.jepmd.testing.EpmdWire.frame(org.jepmd.testing.EpmdWire.names())).closedSilently());
            Await.holdsWithin(Duration.ofSeconds(5), () -> jepmd.output().contains("event=query_denied request=\"GET /nodes\""));
            String output = jepmd.output();
            assertTrue(output.contains("event=query_denied request=\"GET /nodes\" peer=" + ns.clientIp + ":"), output);
            assertTrue(output.contains("event=query_denied request=NAMES_REQ peer=" + ns.clientIp + ":"), output);
            String metrics = run(ns.server, String.join("\n",
                    "import http.client, sys",
                    "c = http.client.HTTPConnection(sys.argv[1], 9436, timeout=5)",
                    "c.request('GET', '/metrics')",
                    "print(c.getresponse().read().decode())"), ns.serverIp);
            assertTrue(metrics.contains("jepmd_queries_denied_total{request=\"http_nodes\"} 1.0"), metrics);
            assertTrue(metrics.contains("jepmd_queries_denied_total{request=\"names_req\"} 1.0"), metrics);
        }
    }

    private static JepmdProcess start(NetworkNamespaces ns, String address, int port, String... more) {
        List<String> args = new ArrayList<>(List.of("-address", address, "-max_connections", "40",
                "-max_connections_per_peer", "2", "-loopback_reserve", "0"));
        args.addAll(List.of(more));
        return JepmdProcess.start(NetworkNamespaces.in(ns.server), "",
                () -> NetClient.accepts(ns.client, address, port), port, args.toArray(String[]::new));
    }

    private static String crowd(NetworkNamespaces ns, String server, int port, String net) throws Exception {
        return run(ns.client, CROWD, server, Integer.toString(port), net);
    }

    private static String httpStatus(String namespace, String host, String path) throws Exception {
        return run(namespace, String.join("\n",
                "import http.client, sys",
                "c = http.client.HTTPConnection(sys.argv[1], 9436, timeout=5)",
                "c.request('GET', sys.argv[2])",
                "print(c.getresponse().status)"), host, path);
    }

    private static String run(String namespace, String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(NetworkNamespaces.in(namespace));
        command.addAll(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("client hung");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
