package org.jepmd.registry;

import org.jepmd.protocol.Epmd;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * epmd's node database ({@code node_reg2()}, {@code node_unreg()}, docs/protocol.md, Node names, Creation numbers and
 * Unused names): live registrations keyed by the exact name bytes, and the FIFO of unused names that keeps creation
 * numbers moving.
 * <p>
 * Lookups and listings do not lock: live nodes sit in a concurrent map, and in a concurrent skip
 * list ordered newest first for NAMES and DUMP. Changes take the registry's lock, so a live
 * registration is only ever removed by its own owner ({@link #unregister(NodeName, Object)}) or by
 * an explicit STOP ({@link #stop(NodeName)}).
 */
public final class NodeRegistry {
    private final ConcurrentHashMap<NodeName, Entry> active = new ConcurrentHashMap<>();
    /** Live nodes by descending registration order: key = -sequence. */
    private final ConcurrentSkipListMap<Long, RegisteredNode> newestFirst = new ConcurrentSkipListMap<>();
    /** Unused names, oldest first. Guarded by {@code this}. */
    private final LinkedHashMap<NodeName, UnusedNode> unused = new LinkedHashMap<>();
    private final int maxUnused;
    private final LongSupplier epochSeconds;
    private long sequence;

    private record Entry(RegisteredNode node, long key) {
    }

    /**
     * @param maxUnused     unused names kept before the oldest is recycled: {@link Epmd#MAX_UNREG_COUNT},
     *                      or {@link Epmd#DEBUG_MAX_UNREG_COUNT} when started with {@code -d}
     * @param epochSeconds  the clock that seeds creation counters ({@code time(NULL)})
     */
    public NodeRegistry(int maxUnused, LongSupplier epochSeconds) {
        this.maxUnused = maxUnused;
        this.epochSeconds = epochSeconds;
    }

    /** A registry with epmd's defaults and the system clock. */
    public NodeRegistry() {
        this(Epmd.MAX_UNREG_COUNT, () -> System.currentTimeMillis() / 1000);
    }

    /**
     * Registers {@code info} for {@code owner}, or refuses it with epmd's rules: a name of more than
     * 1020 bytes or 255 code points, a name that is not valid UTF-8, an Extra of more than 1020
     * bytes, or a name that is live now. A refusal changes nothing.
     */
    public Registration register(NodeInfo info, Object owner, int fd, SocketAddress peer) {
        NodeName name = info.name();
        int codePoints = name.length() > Epmd.MAX_SYMBOL_BYTES ? Integer.MAX_VALUE : name.utf8CodePoints();
        if (codePoints > Epmd.MAX_NAME_CODE_POINTS) {
            return refuse(RefusalReason.NAME_TOO_LONG,
                    "node name is too long (" + name.length() + ") " + name, null);
        }
        if (codePoints < 0) {
            return refuse(RefusalReason.INVALID_NAME_ENCODING, "invalid node name encoding", null);
        }
        if (info.extraLength() > Epmd.MAX_SYMBOL_BYTES) {
            return refuse(RefusalReason.EXTRA_TOO_LONG,
                    "extra data is too long (" + info.extraLength() + ") " + extraAsText(info), null);
        }
        synchronized (this) {
            Entry holder = active.get(name);
            if (holder != null) {
                return refuse(RefusalReason.NAME_OCCUPIED, "node name already occupied " + name, holder.node);
            }
            long creation = nextCreation(name);
            RegisteredNode node = new RegisteredNode(info, creation, owner, fd, peer, System.currentTimeMillis());
            long key = -(++sequence);
            active.put(name, new Entry(node, key));
            newestFirst.put(key, node);
            return new Registration.Registered(node);
        }
    }

    /**
     * Registers a node handed over by the daemon this one replaces ({@code jepmd -restart}): its
     * creation number as it was, no rules checked (the old daemon checked them). Called oldest first,
     * so NAMES keeps its order.
     */
    public RegisteredNode restore(NodeInfo info, long creation, Object owner, int fd, SocketAddress peer, long registeredAt) {
        synchronized (this) {
            RegisteredNode node = new RegisteredNode(info, creation, owner, fd, peer, registeredAt);
            long key = -(++sequence);
            active.put(info.name(), new Entry(node, key));
            newestFirst.put(key, node);
            return node;
        }
    }

    /** Appends names to the unused list (oldest first), as the replaced daemon had them. */
    public synchronized void restoreUnused(List<UnusedNode> names) {
        for (UnusedNode name : names) {
            unused.put(name.name(), name);
        }
    }

    /** Creation numbers as docs/protocol.md describes them; caller holds the lock. */
    private long nextCreation(NodeName name) {
        UnusedNode previous = unused.remove(name);
        if (previous != null) {
            return bump(previous.creation());
        }
        if (unused.size() > maxUnused) {
            // a new name while the list is long: take over the oldest entry's counter as it is
            Iterator<UnusedNode> oldest = unused.values().iterator();
            long inherited = oldest.next().creation();
            oldest.remove();
            return inherited;
        }
        return bump(epochSeconds.getAsLong() & 0xFFFF_FFFFL);
    }

    private static long bump(long counter) {
        long next = (counter + 1) & 0xFFFF_FFFFL;
        return next < 4 ? 4 : next;
    }

    private static Registration refuse(RefusalReason reason, String message, RegisteredNode holder) {
        return new Registration.Refused(reason, message, holder);
    }

    private static String extraAsText(NodeInfo info) {
        byte[] extra = info.extra();
        int end = 0;
        while (end < extra.length && extra[end] != 0) {
            end++;
        }
        return new String(extra, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Unregisters {@code name} only if {@code owner} holds it: a connection can remove its own
     * registration and nobody else's.
     *
     * @return the removed registration, or null if {@code owner} did not hold {@code name}
     */
    public RegisteredNode unregister(NodeName name, Object owner) {
        synchronized (this) {
            Entry entry = active.get(name);
            if (entry == null || entry.node.owner() != owner) {
                return null;
            }
            return remove(entry);
        }
    }

    /**
     * Unregisters {@code name} whoever holds it (docs/protocol.md, STOP_REQ).
     *
     * @return the removed registration, whose owner the caller should close; null if not live
     */
    public RegisteredNode stop(NodeName name) {
        synchronized (this) {
            Entry entry = active.get(name);
            return entry == null ? null : remove(entry);
        }
    }

    private RegisteredNode remove(Entry entry) {
        RegisteredNode node = entry.node;
        active.remove(node.name());
        newestFirst.remove(entry.key);
        unused.put(node.name(), new UnusedNode(node.name(), node.info().port(), node.fd(), node.creation()));
        return node;
    }

    /** The live registration of {@code name}, or null. */
    public RegisteredNode lookup(NodeName name) {
        Entry entry = active.get(name);
        return entry == null ? null : entry.node;
    }

    /** Number of live registrations. */
    public int size() {
        return active.size();
    }

    /** True if no node is live. */
    public boolean isEmpty() {
        return active.isEmpty();
    }

    /**
     * Live registrations, newest first, as NAMES lists them. The view is live and weakly
     * consistent: it can be walked while nodes come and go, without copying the whole table.
     */
    public Collection<RegisteredNode> newestFirst() {
        return newestFirst.values();
    }

    /** A copy of the unused list, oldest first. */
    public synchronized List<UnusedNode> unused() {
        return new ArrayList<>(unused.values());
    }
}
