package org.jepmd.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds loopback TCP ports that are free right now, below the kernel's ephemeral range: a port
 * bind(0) gave out can be taken meanwhile as the local port of a client's connection (a load run
 * makes thousands), and the daemon then reads EADDRINUSE as "already running". Each JVM starts at
 * a random place in the range and walks on, so it never hands the same port out twice and two
 * test JVMs rarely meet.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    private static final int END = ephemeralRangeStart();
    private static final boolean IPV6_LOOPBACK = hasIpv6Loopback();
    private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(END - LOWEST));

    private FreePorts() {
    }

    /** A port below the ephemeral range that nothing listens on, on 127.0.0.1 and ::1. */
    public static int next() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = LOWEST + NEXT.getAndIncrement() % (END - LOWEST);
            if (free(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port found between " + LOWEST + " and " + END);
    }

    private static boolean free(int port) {
        try (ServerSocket v4 = bound("127.0.0.1", port)) {
            try (ServerSocket v6 = bound("::1", port)) {
                return true;
            } catch (IOException e) {
                return !IPV6_LOOPBACK; // taken on ::1, or no IPv6 loopback to take it on
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static ServerSocket bound(String address, int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true); // as the daemon binds: a connection in TIME_WAIT does not make a port busy
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), port), 1);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket v6 = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of {@code /proc/sys/net/ipv4/ip_local_port_range} (Linux's default, 32768, if unreadable). */
    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return Math.max(start, LOWEST + 1_000);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
