package org.jepmd.hardening;

import io.netty.channel.embedded.EmbeddedChannel;
import org.jepmd.server.LocalPeerPolicy;
import org.jepmd.server.guard.ConnectionGuard;
import org.jepmd.server.guard.ConnectionLimits;
import org.jepmd.server.guard.QueryAccess;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * One idea of "this host" behind the three rules that depend on it: epmd's local-only requests, the
 * connection guard's loopback reserve and -allow_query's loopback exemption. A peer without an IP
 * address is remote for all three.
 */
class PeerLocalityTest {
    private static final SocketAddress SERVER = new InetSocketAddress("127.0.0.1", 4369);

    /** An in-memory connection whose peer has no IP address: Netty's embedded address, or none. */
    private static EmbeddedChannel withoutIp(boolean nullAddress) {
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return nullAddress ? null : super.remoteAddress0();
            }
        };
    }

    private static EmbeddedChannel from(String ip) {
        SocketAddress peer = new InetSocketAddress(ip, 40000);
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
    }

    @Test
    void aPeerWithoutAnIpAddressIsRemoteForEveryRule() {
        for (boolean nullAddress : new boolean[] {false, true}) {
            EmbeddedChannel channel = withoutIp(nullAddress);
            SocketAddress peer = channel.remoteAddress();
            String what = "peer " + peer;
            assertFalse(LocalPeerPolicy.EPMD.isLocal(peer, SERVER), what + ": no ALIVE2, DUMP, KILL or STOP");
            assertFalse(QueryAccess.parse("10.0.0.0/8").allows(peer), what + ": outside -allow_query");

            ConnectionGuard guard = new ConnectionGuard(new ConnectionLimits(2, 1, 1));
            assertNull(guard.admit(from("192.0.2.1")), "the one remote slot");
            assertEquals(ConnectionGuard.Refusal.TOTAL, guard.admit(channel), what + ": not in the loopback reserve");
            assertNull(guard.admit(from("127.0.0.1")), "the reserve is still there for loopback");
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void peersWithoutAnIpAddressHaveNoPerPeerShare() {
        ConnectionGuard guard = new ConnectionGuard(new ConnectionLimits(10, 1, 2));
        assertNull(guard.admit(withoutIp(false)));
        assertNull(guard.admit(withoutIp(true)), "no address to count a second connection against");
    }
}
