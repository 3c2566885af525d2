package org.jepmd.cli;

import org.jepmd.server.ServerConfig;
import org.jepmd.server.guard.ConnectionLimits;
import org.jepmd.server.guard.QueryAccess;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jepmd's hardening flags reach the server configuration; bad values are usage errors. */
class HardeningOptionsTest {

    private static ServerConfig parse(String... args) {
        CommandLine commandLine = EpmdCommand.commandLine(Map.of(), System.out, System.err);
        commandLine.parseArgs(args);
        return ((EpmdCommand) commandLine.getCommand()).serverConfig().build();
    }

    @Test
    void withoutFlagsQueriesAreOpenAndLimitsAreTheDefaults() {
        ServerConfig config = parse();
        assertEquals(QueryAccess.OPEN, config.queryAccess());
        assertEquals(ConnectionLimits.forThisProcess(), config.connectionLimits());
    }

    @Test
    void flagsSetTheNetworksAndTheLimits() {
        ServerConfig config = parse("-allow_query", "10.0.0.0/8,192.168.1.7", "-max_connections", "300",
                "-max_connections_per_peer", "20", "-loopback_reserve", "5");
        assertTrue(config.queryAccess().allows(new InetSocketAddress("10.1.1.1", 1)));
        assertFalse(config.queryAccess().allows(new InetSocketAddress("192.168.1.8", 1)));
        assertEquals(new ConnectionLimits(305, 20, 5), config.connectionLimits(), "the reserve comes on top");
        assertEquals(new ConnectionLimits(5 + 16, 1000, 16), parse("-max_connections", "5").connectionLimits(),
                "a small total keeps the whole default reserve for loopback peers");
        assertEquals(new ConnectionLimits(305, 20, 5, 56), parse("-max_connections", "300", "-max_connections_per_peer",
                "20", "-loopback_reserve", "5", "-ipv6_peer_prefix", "56").connectionLimits());
        assertEquals(64, parse().connectionLimits().ipv6PeerPrefix(), "IPv6 peers grouped by /64 by default");
    }

    @Test
    void badValuesAreOneLineErrorsNotEpmdsUsage() {
        for (String[] args : new String[][] {{"-allow_query", "example.org"}, {"-max_connections", "0"},
                {"-max_connections_per_peer", "x"}, {"-ipv6_peer_prefix", "0"}, {"-ipv6_peer_prefix", "129"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = EpmdCommand.commandLine(Map.of(), System.out, new PrintStream(err, true)).execute(args);
            assertEquals(1, exit, String.join(" ", args));
            assertTrue(err.toString().startsWith("jepmd: " + args[0] + " \"" + args[1] + "\": "), err.toString());
            assertEquals(1, err.toString().lines().count(), err.toString());
        }
    }
}
