package org.jepmd.testing;

import org.jepmd.server.EpmdServer;
import org.jepmd.server.ServerConfig;
import org.jepmd.testing.EpmdWire.Conn;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.jepmd.testing.EpmdWire.frame;

/**
 * A JUnit extension for tests that talk raw EPMD bytes to an in-process jepmd: each test starts the
 * daemon with its own configuration on a free loopback port, opens connections through it, and
 * after the test every connection and the daemon are closed. Use it as
 * {@code @RegisterExtension final JepmdOnFreePort epmd = new JepmdOnFreePort();}.
 */
public final class JepmdOnFreePort implements AfterEachCallback {
    private final List<Conn> open = new ArrayList<>();
    private RunningJepmd running;

    /** Starts the daemon with epmd's defaults adjusted by {@code adjust}. */
    public void start(UnaryOperator<ServerConfig.Builder> adjust) {
        if (running != null) {
            throw new IllegalStateException("already started in this test");
        }
        running = RunningJepmd.start(adjust);
    }

    /** Starts the daemon with epmd's defaults. */
    public void start() {
        start(b -> b);
    }

    /** The configured port (what NAMES reports). */
    public int port() {
        return started().port();
    }

    /** The server. */
    public EpmdServer server() {
        return started().server();
    }

    /** A connection to the daemon on 127.0.0.1, closed after the test. */
    public Conn connect() {
        return connect(port());
    }

    /** A connection to 127.0.0.1:{@code port}, closed after the test. */
    public Conn connect(int port) {
        Conn conn = EpmdWire.connect(port);
        open.add(conn);
        return conn;
    }

    /** A new connection with one framed request sent on it. */
    public Conn send(byte[] payload) {
        return connect().send(frame(payload));
    }

    /** Sends one framed request on a new connection and returns all bytes until the daemon closes (5 s at most). */
    public byte[] request(byte[] payload) {
        return send(payload).readUntilClose(5000);
    }

    private RunningJepmd started() {
        if (running == null) {
            throw new IllegalStateException("start() the daemon first");
        }
        return running;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        open.forEach(Conn::close);
        open.clear();
        if (running != null) {
            running.close();
            running = null;
        }
    }
}
