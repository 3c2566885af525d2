package org.jepmd.http;

import org.jepmd.server.EpmdEvents;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;
import org.jepmd.testing.RunningJepmd;

import java.net.InetSocketAddress;
import java.util.function.UnaryOperator;

/** An in-process daemon ({@link RunningJepmd}) with its HTTP endpoint on a free loopback port. Close it to stop both. */
final class JepmdWithHttp implements AutoCloseable {
    final RunningJepmd jepmd;
    final ObservabilityServer http;

    private JepmdWithHttp(RunningJepmd jepmd, ObservabilityServer http) {
        this.jepmd = jepmd;
        this.http = http;
    }

    /** Starts the daemon with {@code metrics} as its events (and the given adjustments), then the endpoint. */
    static JepmdWithHttp start(EpmdMetrics metrics, UnaryOperator<ServerConfig.Builder> adjust) throws StartupFailure {
        RunningJepmd jepmd = RunningJepmd.start(EpmdEvents.to(metrics), adjust);
        try {
            return new JepmdWithHttp(jepmd, ObservabilityServer.start(new InetSocketAddress("127.0.0.1", 0),
                    jepmd.server(), metrics));
        } catch (StartupFailure | RuntimeException e) {
            jepmd.close();
            throw e;
        }
    }

    @Override
    public void close() {
        http.close();
        jepmd.close();
    }
}
