package org.jepmd;

import org.jepmd.server.EpmdServer;
import org.jepmd.server.ListenPlan;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;

import java.time.Duration;

/**
 * Starts jepmd. A minimal launcher for the daemon core: {@code -port}, {@code -address},
 * {@code -relaxed_command_check}, {@code -packet_timeout}, {@code -delay_write} (the last of a
 * repeated flag wins).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        ServerConfig.Builder config = ServerConfig.builder();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-port" -> config.port(Integer.parseInt(args[++i]));
                case "-address" -> config.addresses(ListenPlan.tokens(args[++i]));
                case "-relaxed_command_check" -> config.relaxedCommandCheck(true);
                case "-packet_timeout" -> config.packetTimeout(Duration.ofSeconds(Integer.parseInt(args[++i])));
                case "-delay_write" -> config.delayWrite(Duration.ofSeconds(Integer.parseInt(args[++i])));
                default -> {
                    System.err.println("usage: jepmd [-port No] [-address List] [-relaxed_command_check]"
                            + " [-packet_timeout Seconds] [-delay_write Seconds]");
                    System.exit(1);
                }
            }
        }
        try {
            EpmdServer server = EpmdServer.start(config.build());
            System.exit(server.terminated().join());
        } catch (StartupFailure e) {
            System.exit(e.exitStatus());
        }
    }
}
