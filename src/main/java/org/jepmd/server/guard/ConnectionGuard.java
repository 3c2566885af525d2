package org.jepmd.server.guard;

import io.netty.channel.Channel;
import org.jepmd.net.LocalPeers;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * Admits or turns away each accepted connection by the {@link ConnectionLimits}, before any of its
 * bytes are read. Counts are taken at accept and given back when the connection closes; a
 * connection turned away is closed at once and touches neither the registry nor other connections.
 * A peer is an IPv4 address, or an IPv6 network of {@link ConnectionLimits#ipv6PeerPrefix()} bits
 * (a /64 by default): one host can use every address of its /64. Loopback is {@link LocalPeers#isLoopback}.
 * Thread-safe: accepts of all listening sockets share one guard.
 */
public final class ConnectionGuard {
    private static final long LOG_INTERVAL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private final String what;
    private final ConnectionLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger slotsHeld = new AtomicInteger();
    private final ConcurrentHashMap<Cidr, AtomicInteger> perPeer = new ConcurrentHashMap<>();
    /** When the last "limit reached" line was logged: at most one per {@link #LOG_INTERVAL_NANOS}. */
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong refusedSinceLog = new AtomicLong();

    /** A guard for EPMD connections. */
    public ConnectionGuard(ConnectionLimits limits) {
        this("connection", limits);
    }

    /**
     * @param what the connections guarded, as the log line names them: {@code "HTTP connection"}
     */
    public ConnectionGuard(String what, ConnectionLimits limits) {
        this.what = what;
        this.limits = limits;
    }

    /** Why a connection was turned away. */
    public enum Refusal {
        /** every slot is taken, or every slot outside the loopback reserve for a remote peer */
        TOTAL("total"),
        /** this non-loopback address holds its share already */
        PER_PEER("per_peer");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        /** A short label for metrics and logs. */
        public String label() {
            return label;
        }
    }

    /**
     * Takes a slot for {@code channel} and arranges to give it back when it closes.
     *
     * @return null if admitted, else why not (the caller closes the channel)
     */
    public Refusal admit(Channel channel) {
        SocketAddress remote = channel.remoteAddress();
        Refusal refusal = admit(remote);
        if (refusal == null) {
            channel.closeFuture().addListener(f -> release(remote));
        }
        return refusal;
    }

    /**
     * Takes a slot for a connection from {@code remote}; the caller gives it back with
     * {@link #release(SocketAddress)} once the connection has closed.
     *
     * @return null if admitted, else why not
     */
    public Refusal admit(SocketAddress remote) {
        boolean loopback = LocalPeers.isLoopback(remote);
        int ceiling = loopback ? limits.maxTotal() : limits.remoteShare();
        if (!tryIncrement(open, ceiling)) {
            return refused(Refusal.TOTAL, remote);
        }
        Cidr peer = peerOf(remote);
        if (peer != null) {
            AtomicInteger mine = perPeer.computeIfAbsent(peer, a -> new AtomicInteger());
            if (!tryIncrement(mine, limits.maxPerPeer())) {
                open.decrementAndGet();
                return refused(Refusal.PER_PEER, remote);
            }
        }
        return null;
    }

    /**
     * A connection's slot, or why it got none, for a connection that is not (yet) a channel, e.g. a
     * lookup answered at accept: {@link #release()} it exactly once when an admitted connection closes.
     */
    public final class Slot {
        private final SocketAddress remote;
        private final Refusal refusal;

        private Slot(SocketAddress remote, Refusal refusal) {
            this.remote = remote;
            this.refusal = refusal;
        }

        /** Null if the connection was admitted, else why not (the caller closes it). */
        public Refusal refusal() {
            return refusal;
        }

        /** Gives an admitted connection's slot back. */
        public void release() {
            slotsHeld.decrementAndGet();
            ConnectionGuard.this.release(remote);
        }
    }

    /** {@link #admit(SocketAddress)}, as a {@link Slot}. */
    public Slot take(SocketAddress remote) {
        Refusal refusal = admit(remote);
        if (refusal == null) {
            slotsHeld.incrementAndGet();
        }
        return new Slot(remote, refusal);
    }

    /** Slots taken with {@link #take} and not yet released: connections open that are not channels. */
    public int slotsHeld() {
        return slotsHeld.get();
    }

    /** Gives back the slot {@link #admit(SocketAddress)} took for a connection from {@code remote}; once per slot. */
    public void release(SocketAddress remote) {
        open.decrementAndGet();
        Cidr peer = peerOf(remote);
        AtomicInteger peerCount = peer == null ? null : perPeer.get(peer);
        if (peerCount != null && peerCount.decrementAndGet() == 0) {
            perPeer.remove(peer, peerCount);
        }
    }

    /**
     * The peer {@code remote} counts as: none for loopback or an address without IP (only the remote
     * share holds it), else itself (IPv4) or its network of the configured prefix (IPv6).
     */
    private Cidr peerOf(SocketAddress remote) {
        InetAddress address = LocalPeers.ipOf(remote);
        if (LocalPeers.isLoopback(remote) || address == null) {
            return null;
        }
        return Cidr.around(address, address instanceof Inet6Address ? limits.ipv6PeerPrefix() : 32);
    }

    /** Increments {@code counter} unless that would exceed {@code ceiling}. */
    private static boolean tryIncrement(AtomicInteger counter, int ceiling) {
        while (true) {
            int now = counter.get();
            if (now >= ceiling) {
                return false;
            }
            if (counter.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Logs the first refusal and then at most one line per interval, with the count in between. */
    private Refusal refused(Refusal why, SocketAddress peer) {
        long count = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(last, now)) {
            refusedSinceLog.addAndGet(-count);
            LOG.warn("{} limit reached ({} of {} open, {} per peer, {} kept for loopback): closed {}"
                            + " new connection(s), the last from {} ({} limit)", what, open.get(), limits.maxTotal(),
                    limits.maxPerPeer(), limits.loopbackReserve(), count, peer, why.label());
        }
        return why;
    }
}
