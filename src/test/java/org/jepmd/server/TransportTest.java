package org.jepmd.server;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.jepmd.testing.Requirements;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport choice (docs/operations.md, "Transport"). The suites that run once per transport
 * (pom.xml) set {@code JEPMD_TRANSPORT}; {@link #theDaemonRunsOnTheConfiguredTransport} proves they do.
 */
class TransportTest {
    private String configured;

    @BeforeEach
    void remember() {
        configured = System.getProperty(Transport.PROPERTY);
    }

    @AfterEach
    void restore() {
        if (configured == null) {
            System.clearProperty(Transport.PROPERTY);
        } else {
            System.setProperty(Transport.PROPERTY, configured);
        }
    }

    @Test
    void theDaemonRunsOnTheConfiguredTransport() {
        String wanted = Transport.configured(); // the property, else JEPMD_TRANSPORT
        try (RunningJepmd jepmd = RunningJepmd.start()) {
            String expected = wanted.isEmpty() || wanted.equals("auto") ? "epoll" : wanted;
            assertEquals(expected, jepmd.server().transport().label());
        }
    }

    @Test
    void eachNamedTransportIsChosenWhenAvailable() throws StartupFailure {
        requireNative();
        for (Transport.Kind kind : Transport.Kind.values()) {
            System.setProperty(Transport.PROPERTY, kind.label());
            assertEquals(kind, Transport.choose(false).kind());
        }
    }

    @Test
    void autoPrefersEpollAndInheritedSocketsAlwaysGetEpoll() throws StartupFailure {
        requireNative();
        System.setProperty(Transport.PROPERTY, "auto");
        assertEquals(Transport.Kind.EPOLL, Transport.choose(false).kind());
        assertEquals(Transport.Kind.EPOLL, Transport.choose(true).kind());
    }

    @Test
    void anUnknownTransportFailsTheStart() {
        System.setProperty(Transport.PROPERTY, "kqueue");
        StartupFailure failure = assertThrows(StartupFailure.class, () -> Transport.choose(false));
        assertEquals(1, failure.exitStatus());
        assertTrue(failure.getMessage().contains("unknown transport \"kqueue\""), failure.getMessage());
    }

    private static void requireNative() {
        if (!Epoll.isAvailable() || !IoUring.isAvailable()) {
            Requirements.unavailable("epoll and io_uring (Linux, io_uring not disabled): "
                    + Epoll.unavailabilityCause() + " / " + IoUring.unavailabilityCause());
        }
    }
}
