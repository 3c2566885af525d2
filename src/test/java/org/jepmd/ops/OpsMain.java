package org.jepmd.ops;

import org.jepmd.http.HttpAddress;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;

/**
 * A test entry point that runs the daemon through {@link Operations} as the command line does:
 * {@code -port N}, {@code -systemd}, {@code -http ADDR:PORT}, {@code -audit}. Used by end-to-end
 * tests under {@code systemd-socket-activate} before and besides the real launcher.
 */
public final class OpsMain {
    private OpsMain() {
    }

    public static void main(String[] args) {
        ServerConfig.Builder config = ServerConfig.builder();
        boolean systemd = false;
        boolean audit = false;
        java.net.InetSocketAddress http = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-port" -> config.port(Integer.parseInt(args[++i]));
                case "-systemd" -> systemd = true;
                case "-audit" -> audit = true;
                case "-http" -> http = HttpAddress.parse(args[++i]);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        int status;
        try {
            status = new Operations(new Operations.Options(systemd, http, audit)).run(config.build());
        } catch (StartupFailure e) {
            status = e.exitStatus(); // logged where it happened
        }
        System.exit(status);
    }
}
