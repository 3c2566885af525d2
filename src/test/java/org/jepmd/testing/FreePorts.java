package org.jepmd.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds loopback TCP ports that are free right now. */
public final class FreePorts {
    private FreePorts() {
    }

    /** A port that nothing listens on, on 127.0.0.1 and ::1. */
    public static int next() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                socket.setReuseAddress(true);
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (ServerSocket v6 = new ServerSocket(port, 1, InetAddress.getByName("::1"))) {
                return port;
            } catch (IOException ignored) {
                // taken on ::1, or no IPv6 loopback: try another / accept the IPv4 result
                if (!hasIpv6Loopback()) {
                    return port;
                }
            }
        }
        throw new IllegalStateException("no free port found");
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket v6 = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
