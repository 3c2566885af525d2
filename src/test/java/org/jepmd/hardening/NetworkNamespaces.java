package org.jepmd.hardening;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two test-made network namespaces joined by a veth pair, {@code server} at 10.200.N.1/30 and
 * {@code client} at 10.200.N.2/30; the host's own namespace gets no address and sees no traffic.
 * Both are deleted on {@link #close()}. Skips with a reason where {@code ip netns add} is not
 * permitted (also under CI: the brief requires it only where a probe namespace can be made).
 */
final class NetworkNamespaces implements AutoCloseable {
    final String server;
    final String client;
    final String serverIp;
    final String clientIp;
    private final List<Process> started = new ArrayList<>();

    private NetworkNamespaces(String tag, int subnet) {
        this.server = "jh-s-" + tag;
        this.client = "jh-c-" + tag;
        this.serverIp = "10.200." + subnet + ".1";
        this.clientIp = "10.200." + subnet + ".2";
    }

    static NetworkNamespaces create() {
        String tag = Long.toString(ProcessHandle.current().pid(), 36) + ThreadLocalRandom.current().nextInt(1000);
        String probe = "jh-probe-" + tag;
        if (run("ip", "netns", "add", probe) != 0) {
            Assumptions.abort("network namespaces not permitted here (ip netns add failed)");
        }
        run("ip", "netns", "del", probe);
        NetworkNamespaces ns = new NetworkNamespaces(tag, ThreadLocalRandom.current().nextInt(256));
        try {
            String a = "jhs" + tag;
            String b = "jhc" + tag;
            must("ip", "netns", "add", ns.server);
            must("ip", "netns", "add", ns.client);
            must("ip", "link", "add", a, "netns", ns.server, "type", "veth", "peer", "name", b, "netns", ns.client);
            must("ip", "-n", ns.server, "addr", "add", ns.serverIp + "/30", "dev", a);
            must("ip", "-n", ns.client, "addr", "add", ns.clientIp + "/30", "dev", b);
            for (String n : List.of(ns.server, ns.client)) {
                must("ip", "-n", n, "link", "set", "lo", "up");
            }
            must("ip", "-n", ns.server, "link", "set", a, "up");
            must("ip", "-n", ns.client, "link", "set", b, "up");
            return ns;
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** {@code ip netns exec <ns>} as a command prefix. */
    static List<String> in(String namespace) {
        return List.of("ip", "netns", "exec", namespace);
    }

    /** Starts a long-running process inside {@code namespace}; it is killed on {@link #close()}. */
    Process spawn(String namespace, String... command) throws IOException {
        List<String> full = new ArrayList<>(in(namespace));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    private static void must(String... command) {
        int status = run(command);
        if (status != 0) {
            throw new IllegalStateException("failed (" + status + "): " + String.join(" ", command));
        }
    }

    static int run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        for (Process p : started) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        run("ip", "netns", "del", server); // deleting a namespace also removes its end of the veth pair
        run("ip", "netns", "del", client);
    }
}
