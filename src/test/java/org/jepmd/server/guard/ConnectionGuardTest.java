package org.jepmd.server.guard;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admission rules of the connection caps and the -allow_query networks, peer by peer. */
class ConnectionGuardTest {

    /** An in-memory channel that reports a chosen peer address. */
    private static final class FromPeer extends EmbeddedChannel {
        private final SocketAddress peer;

        FromPeer(String ip, int port) throws Exception {
            super(false, false);
            this.peer = new InetSocketAddress(InetAddress.getByName(ip), port);
            register();
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return peer;
        }
    }

    private static final ConnectionLimits LIMITS = new ConnectionLimits(10, 3, 2);

    @Test
    void aRemotePeerIsCappedAtItsShareWhileOthersStillGetIn() throws Exception {
        ConnectionGuard guard = new ConnectionGuard(LIMITS);
        for (int i = 0; i < 3; i++) {
            assertNull(guard.admit(new FromPeer("192.0.2.1", 1000 + i)));
        }
        assertEquals(ConnectionGuard.Refusal.PER_PEER, guard.admit(new FromPeer("192.0.2.1", 2000)));
        assertNull(guard.admit(new FromPeer("192.0.2.2", 2000)), "another peer is not affected");
        assertEquals(LIMITS.remoteShare() - 4, remoteSlotsLeft(guard), "a refused connection holds no slot");
    }

    @Test
    void remotePeersCannotTakeTheLoopbackReserve() throws Exception {
        ConnectionGuard guard = new ConnectionGuard(LIMITS);
        for (int i = 0; i < 8; i++) { // 10 total minus 2 reserved
            assertNull(guard.admit(new FromPeer("198.51.100." + (i + 1), 1)));
        }
        assertEquals(ConnectionGuard.Refusal.TOTAL, guard.admit(new FromPeer("203.0.113.9", 1)));
        assertNull(guard.admit(new FromPeer("127.0.0.1", 1)), "loopback uses the reserve");
        assertNull(guard.admit(new FromPeer("::1", 1)), "IPv6 loopback too");
        assertEquals(ConnectionGuard.Refusal.TOTAL, guard.admit(new FromPeer("127.0.0.1", 2)),
                "the total is a hard cap for loopback as well");
    }

    @Test
    void slotsComeBackWhenConnectionsClose() throws Exception {
        ConnectionGuard guard = new ConnectionGuard(LIMITS);
        List<EmbeddedChannel> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FromPeer channel = new FromPeer("192.0.2.7", i);
            guard.admit(channel);
            open.add(channel);
        }
        assertEquals(ConnectionGuard.Refusal.PER_PEER, guard.admit(new FromPeer("192.0.2.7", 9)));
        open.get(0).close().syncUninterruptibly();
        assertNull(guard.admit(new FromPeer("192.0.2.7", 9)));
        for (EmbeddedChannel channel : open) {
            channel.close().syncUninterruptibly();
        }
        assertEquals(LIMITS.remoteShare() - 1, remoteSlotsLeft(guard), "only the last connection holds a slot");
    }

    /**
     * How many more remote peers, each from an address of its own, the guard admits before it
     * refuses one for the total: the remote share minus the connections holding a slot. Takes them.
     */
    private static int remoteSlotsLeft(ConnectionGuard guard) throws Exception {
        for (int i = 0; i <= LIMITS.maxTotal(); i++) {
            ConnectionGuard.Refusal refusal = guard.admit(new FromPeer("198.18.0." + (i + 1), 1));
            if (refusal != null) {
                assertEquals(ConnectionGuard.Refusal.TOTAL, refusal);
                return i;
            }
        }
        throw new AssertionError("more than " + LIMITS.maxTotal() + " remote peers admitted");
    }

    @Test
    void ipv6PeersInOne64CountAsOnePeer() throws Exception {
        ConnectionGuard guard = new ConnectionGuard(new ConnectionLimits(40, 2, 0));
        int admitted = 0;
        for (int i = 1; i <= 20; i++) {
            for (int c = 0; c < 2; c++) {
                if (guard.admit(new FromPeer("2001:db8:1:2::" + Integer.toHexString(i), 1000 + c)) == null) {
                    admitted++;
                }
            }
        }
        assertEquals(2, admitted, "20 addresses of one /64 with 2 connections per peer");
        assertEquals(ConnectionGuard.Refusal.PER_PEER, guard.admit(new FromPeer("2001:db8:1:2:ffff::1", 1)),
                "any address of that /64");
        assertNull(guard.admit(new FromPeer("2001:db8:1:3::1", 1)), "the next /64 is another peer");
        assertNull(guard.admit(new FromPeer("::ffff:192.0.2.1", 1)), "an IPv4-mapped peer counts as its IPv4 address");
        assertNull(guard.admit(new FromPeer("192.0.2.2", 1)));
    }

    @Test
    void theIpv6PeerPrefixIsConfigurable() throws Exception {
        ConnectionGuard perAddress = new ConnectionGuard(new ConnectionLimits(40, 2, 0, 128));
        for (int i = 1; i <= 20; i++) {
            assertNull(perAddress.admit(new FromPeer("2001:db8:1:2::" + Integer.toHexString(i), 1)));
            assertNull(perAddress.admit(new FromPeer("2001:db8:1:2::" + Integer.toHexString(i), 2)));
        }
        assertEquals(ConnectionGuard.Refusal.TOTAL, perAddress.admit(new FromPeer("2001:db8:1:2::ff", 1)),
                "with /128 each address is a peer of its own, up to the total");

        ConnectionGuard perSite = new ConnectionGuard(new ConnectionLimits(40, 2, 0, 48));
        assertNull(perSite.admit(new FromPeer("2001:db8:1:2::1", 1)));
        assertNull(perSite.admit(new FromPeer("2001:db8:1:ff::1", 1)));
        assertEquals(ConnectionGuard.Refusal.PER_PEER, perSite.admit(new FromPeer("2001:db8:1:7::9", 1)),
                "with /48 a whole site is one peer");
        assertNull(perSite.admit(new FromPeer("2001:db8:2::1", 1)));
    }

    @Test
    void limitsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new ConnectionLimits(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConnectionLimits(10, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> new ConnectionLimits(10, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConnectionLimits(10, 1, 0, 129));
        assertEquals(64, ConnectionLimits.DEFAULT.ipv6PeerPrefix());
        assertTrue(ConnectionLimits.DEFAULT.maxTotal() > 1_024 * 40, "defaults far above epmd's table");
    }

    @Test
    void networksMatchByPrefix() throws Exception {
        Cidr net = Cidr.parse("10.200.0.0/16");
        assertTrue(net.contains(InetAddress.getByName("10.200.255.1")));
        assertFalse(net.contains(InetAddress.getByName("10.201.0.1")));
        assertFalse(net.contains(InetAddress.getByName("::1")), "families never match");
        assertTrue(Cidr.parse("192.0.2.5").contains(InetAddress.getByName("192.0.2.5")));
        assertFalse(Cidr.parse("192.0.2.5").contains(InetAddress.getByName("192.0.2.6")));
        assertTrue(Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1")));
        assertEquals("10.200.0.0/16", Cidr.parse("10.200.7.7/16").toString());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.org/8"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> QueryAccess.parse(" , "));
    }

    @Test
    void queriesAreOpenByDefaultAndLoopbackIsAlwaysAllowed() throws Exception {
        SocketAddress remote = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 1);
        assertTrue(QueryAccess.OPEN.allows(remote), "off by default: epmd lets anyone query");
        QueryAccess access = QueryAccess.parse("10.0.0.0/8, 192.168.1.7");
        assertFalse(access.allows(remote));
        assertTrue(access.allows(new InetSocketAddress(InetAddress.getByName("10.9.8.7"), 1)));
        assertTrue(access.allows(new InetSocketAddress(InetAddress.getByName("192.168.1.7"), 1)));
        assertTrue(access.allows(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 1)));
        assertTrue(access.allows(new InetSocketAddress(InetAddress.getByName("::1"), 1)));
    }
}
