package org.jepmd.registry;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * In-process registry benchmark for {@code scripts/bench} (not a unit test): registers N names
 * (default 1,000,000) in a {@link NodeRegistry} as ALIVE2 would, then measures retained heap per
 * entry and register, lookup and unregister rates. Prints one {@code key=value} line.
 * <p>
 * Run: {@code java -cp target/jepmd.jar:target/bench/classes org.jepmd.registry.NodeRegistryBench 1000000}
 */
public final class NodeRegistryBench {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private NodeRegistryBench() {
    }

    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        NodeName[] names = new NodeName[n];
        NodeInfo[] infos = new NodeInfo[n];
        Object[] owners = new Object[n]; // stands for the connections, which exist anyway
        for (int i = 0; i < n; i++) {
            owners[i] = new Object();
        }
        long bare = usedAfterGc();
        // what the decoder allocates per ALIVE2 and the registry keeps: NodeName and NodeInfo
        for (int i = 0; i < n; i++) {
            names[i] = NodeName.of("node" + i);
            infos[i] = new NodeInfo(names[i], 20000 + i % 40000, 77, 0, 6, 5, new byte[0]);
        }
        long infoBytes = (usedAfterGc() - bare) / n;
        // warm the JIT on a throwaway registry so the timed passes measure steady state
        NodeRegistry warm = new NodeRegistry();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < Math.min(n, 200_000); i++) {
                warm.register(infos[i], owners[i], i, new InetSocketAddress(LOOPBACK, i & 0xFFFF));
                warm.lookup(names[i]);
                warm.unregister(names[i], owners[i]);
            }
        }
        warm = null;

        long before = usedAfterGc();
        NodeRegistry registry = new NodeRegistry();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            registry.register(infos[i], owners[i], i, new InetSocketAddress(LOOPBACK, i & 0xFFFF));
        }
        long t1 = System.nanoTime();
        long after = usedAfterGc();
        long perEntry = (after - before) / n;

        long found = 0;
        long t2 = System.nanoTime();
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < n; i++) {
                if (registry.lookup(names[(int) ((i * 7919L) % n)]) != null) {
                    found++;
                }
            }
        }
        long t3 = System.nanoTime();
        double lookups2 = concurrentLookups(registry, names, 2);
        long t4 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            registry.unregister(names[i], owners[i]);
        }
        long t5 = System.nanoTime();
        if (found != 3L * n || registry.size() != 0) {
            throw new AssertionError("registry lost entries: found " + found + ", left " + registry.size());
        }
        System.out.printf(Locale.ROOT,
                "names=%d bytes_per_entry=%d (registry %d + name/info %d) register_ops=%.0f lookup_ops=%.0f lookup_ops_2threads=%.0f unregister_ops=%.0f%n",
                n, perEntry + infoBytes, perEntry, infoBytes, n / secs(t1 - t0), 3.0 * n / secs(t3 - t2), lookups2, n / secs(t5 - t4));
    }

    private static double concurrentLookups(NodeRegistry registry, NodeName[] names, int threads)
            throws InterruptedException {
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            workers[t] = new Thread(() -> {
                for (int i = 0; i < names.length; i++) {
                    if (registry.lookup(names[(int) (((i + offset) * 7919L) % names.length)]) == null) {
                        throw new AssertionError("missing");
                    }
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return (double) threads * names.length / secs(System.nanoTime() - start);
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
