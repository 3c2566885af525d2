package org.jepmd.hardening;

import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.JepmdProcess;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
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
    private final int subnet;
    private final String serverLink;
    private final String clientLink;
    private final List<Process> started = new ArrayList<>();

    private NetworkNamespaces(String tag, int subnet) {
        this.server = "jh-s-" + tag;
        this.client = "jh-c-" + tag;
        this.subnet = subnet;
        this.serverIp = "10.200." + subnet + ".1";
        this.clientIp = "10.200." + subnet + ".2";
        this.serverLink = "jhs" + tag;
        this.clientLink = "jhc" + tag;
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
            String a = ns.serverLink;
            String b = ns.clientLink;
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

    /**
     * Gives the client {@code count} more addresses (10.201.N.10 and up), each a distinct peer to the
     * server, which routes them over the veth pair.
     */
    List<String> addClientAddresses(int count) {
        List<String> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String ip = "10.201." + subnet + "." + (10 + i);
            must("ip", "-n", client, "addr", "add", ip + "/32", "dev", clientLink);
            added.add(ip);
        }
        must("ip", "-n", server, "route", "add", "10.201." + subnet + ".0/24", "dev", serverLink);
        return added;
    }

    /**
     * A local node: a Python client on the server namespace's loopback that registers {@code name}
     * with the daemon on {@code port} and holds the connection until {@link #close()}.
     */
    void registerLocalNode(int port, String name, int nodePort) throws IOException {
        String script = String.join("\n",
                "import socket, sys, time",
                "s = socket.create_connection(('127.0.0.1', " + port + "), timeout=5)",
                "s.sendall(bytes.fromhex(sys.argv[1]))",
                "r = s.recv(16)",
                "print('registered' if len(r) >= 2 and r[1] == 0 else 'refused ' + r.hex(), flush=True)",
                "time.sleep(600)");
        Process holder = spawn(server, "python3", "-c", script,
                HexFormat.of().formatHex(EpmdWire.frame(EpmdWire.alive2(name, nodePort))));
        String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"registered".equals(line)) {
            throw new AssertionError("local registration of " + name + " failed: " + line);
        }
    }

    /** Adds {@code address/prefix} to {@code namespace}'s veth end, usable at once (no duplicate address detection). */
    void addIpv6(String namespace, String address, int prefix) {
        must("ip", "-n", namespace, "addr", "add", address + "/" + prefix, "dev",
                namespace.equals(server) ? serverLink : clientLink, "nodad");
    }

    /**
     * jepmd in the server namespace with {@code -address <serverIp>} and {@code args}, once the client
     * namespace can connect to it.
     */
    JepmdProcess startJepmd(int port, String... args) {
        return startJepmd(List.of(), port, args);
    }

    /** As {@link #startJepmd(int, String...)}, with extra JVM options. */
    JepmdProcess startJepmd(List<String> jvmOptions, int port, String... args) {
        List<String> all = new ArrayList<>(List.of("-address", serverIp));
        all.addAll(List.of(args));
        return JepmdProcess.start(jvmOptions, in(server), "", () -> NetClient.accepts(client, serverIp, port), port,
                all.toArray(String[]::new));
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
