package org.jepmd.server;

import org.jepmd.protocol.Epmd;
import org.jepmd.server.guard.ConnectionLimits;
import org.jepmd.server.guard.QueryAccess;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the daemon is started with. Build one with {@link #builder()}.
 *
 * @param port                  the configured port: reported in NAMES and DUMP, and bound modulo 65536
 *                              (docs/protocol.md, Options)
 * @param addresses             {@code -address} tokens; empty means {@code 0.0.0.0} and {@code ::}
 *                              (docs/protocol.md, Address list)
 * @param relaxedCommandCheck   KILL with live nodes and STOP allowed (docs/protocol.md, Relaxed command check)
 * @param packetTimeout         deadline for a connection's request, counted from accept
 *                              (docs/protocol.md, Packet timeout)
 * @param delayWrite            sleep before every reply write ({@code -delay_write}, a test aid)
 * @param delayAccept           delay before a new connection is read ({@code -delay_accept}, a test aid)
 * @param debugLevel            number of {@code -d} flags; any shrinks the unused-name list to 5
 * @param takeoverGrace         how long a duplicate ALIVE2 waits for a closing owner before it is refused
 * @param localPeers            decides which peers may register, dump, kill and stop (docs/protocol.md, Local peers)
 * @param inheritedFds          already listening sockets to serve instead of binding (docs/protocol.md,
 *                              systemd socket activation); empty means bind {@code addresses}
 * @param connectionLimits      caps on open connections, total and per peer, with a loopback reserve
 * @param queryAccess           who may send NAMES and PORT_PLEASE2 ({@code -allow_query}; open by default)
 * @param arguments             the command line the daemon was started with, as JEPMD_INFO_REQ reports it
 */
public record ServerConfig(int port, List<String> addresses, boolean relaxedCommandCheck,
                           Duration packetTimeout, Duration delayWrite, Duration delayAccept,
                           int debugLevel, Duration takeoverGrace, LocalPeerPolicy localPeers,
                           List<Integer> inheritedFds,
                           ConnectionLimits connectionLimits, QueryAccess queryAccess, List<String> arguments) {

    public ServerConfig {
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(packetTimeout, "packetTimeout");
        Objects.requireNonNull(delayWrite, "delayWrite");
        Objects.requireNonNull(delayAccept, "delayAccept");
        Objects.requireNonNull(takeoverGrace, "takeoverGrace");
        Objects.requireNonNull(localPeers, "localPeers");
        inheritedFds = List.copyOf(inheritedFds);
        Objects.requireNonNull(connectionLimits, "connectionLimits");
        Objects.requireNonNull(queryAccess, "queryAccess");
        arguments = List.copyOf(arguments);
    }

    /** The port the sockets bind: the configured port modulo 65536, as epmd's {@code htons()} does. */
    public int bindPort() {
        return port & 0xFFFF;
    }

    /** Unused names kept before recycling: 1000, or 5 with any {@code -d} (docs/protocol.md, Unused names). */
    public int maxUnusedNames() {
        return debugLevel > 0 ? Epmd.DEBUG_MAX_UNREG_COUNT : Epmd.MAX_UNREG_COUNT;
    }

    /** A builder with epmd's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.port = port;
        b.addresses = addresses;
        b.relaxedCommandCheck = relaxedCommandCheck;
        b.packetTimeout = packetTimeout;
        b.delayWrite = delayWrite;
        b.delayAccept = delayAccept;
        b.debugLevel = debugLevel;
        b.takeoverGrace = takeoverGrace;
        b.localPeers = localPeers;
        b.inheritedFds = inheritedFds;
        b.connectionLimits = connectionLimits;
        b.queryAccess = queryAccess;
        b.arguments = arguments;
        return b;
    }

    /** Builds a {@link ServerConfig}; every setter returns the builder. */
    public static final class Builder {
        private int port = Epmd.DEFAULT_PORT;
        private List<String> addresses = List.of();
        private boolean relaxedCommandCheck;
        private Duration packetTimeout = Duration.ofSeconds(Epmd.DEFAULT_PACKET_TIMEOUT_SECONDS);
        private Duration delayWrite = Duration.ZERO;
        private Duration delayAccept = Duration.ZERO;
        private int debugLevel;
        private Duration takeoverGrace = Duration.ofMillis(500);
        private LocalPeerPolicy localPeers = LocalPeerPolicy.EPMD;
        private List<Integer> inheritedFds = List.of();
        private ConnectionLimits connectionLimits = ConnectionLimits.DEFAULT;
        private QueryAccess queryAccess = QueryAccess.OPEN;
        private List<String> arguments = List.of();

        private Builder() {
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder addresses(List<String> addresses) {
            this.addresses = addresses;
            return this;
        }

        public Builder relaxedCommandCheck(boolean relaxed) {
            this.relaxedCommandCheck = relaxed;
            return this;
        }

        public Builder packetTimeout(Duration timeout) {
            this.packetTimeout = timeout;
            return this;
        }

        public Builder delayWrite(Duration delay) {
            this.delayWrite = delay;
            return this;
        }

        public Builder delayAccept(Duration delay) {
            this.delayAccept = delay;
            return this;
        }

        public Builder debugLevel(int level) {
            this.debugLevel = level;
            return this;
        }

        public Builder takeoverGrace(Duration grace) {
            this.takeoverGrace = grace;
            return this;
        }

        public Builder localPeers(LocalPeerPolicy policy) {
            this.localPeers = policy;
            return this;
        }

        /** Listening descriptors inherited from systemd, served as given instead of binding. */
        public Builder inheritedFds(List<Integer> fds) {
            this.inheritedFds = fds;
            return this;
        }

        public Builder connectionLimits(ConnectionLimits limits) {
            this.connectionLimits = limits;
            return this;
        }

        public Builder queryAccess(QueryAccess access) {
            this.queryAccess = access;
            return this;
        }

        /** The command line the daemon was started with (reported by JEPMD_INFO_REQ only). */
        public Builder arguments(List<String> arguments) {
            this.arguments = arguments;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(port, addresses, relaxedCommandCheck, packetTimeout, delayWrite,
                    delayAccept, debugLevel, takeoverGrace, localPeers, inheritedFds,
                    connectionLimits, queryAccess, arguments);
        }
    }
}
