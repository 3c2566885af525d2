package org.jepmd.server;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BindErrorTest {

    @BeforeAll
    static void loadTheNativeTransport() {
        Epoll.ensureAvailability(); // Errors' constants come from the native library
    }

    @Test
    void nativeErrorsAreClassifiedByErrno() {
        assertEquals(BindError.ADDRESS_IN_USE, BindError.of(Errors.newIOException("bind", -98)));
        assertEquals(BindError.FAMILY_UNSUPPORTED, BindError.of(Errors.newIOException("socket", -97)));
        assertEquals(BindError.FAMILY_UNSUPPORTED, BindError.of(Errors.newIOException("socket", -93)));
        assertEquals(BindError.OTHER, BindError.of(Errors.newIOException("bind", -99))); // EADDRNOTAVAIL
        assertEquals(BindError.OTHER, BindError.of(Errors.newIOException("bind", -13))); // EACCES
    }

    @Test
    void theJdksBindFailureOnATakenPortIsAddressInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BindException failure = assertThrows(BindException.class,
                    () -> new ServerSocket(taken.getLocalPort(), 1, InetAddress.getLoopbackAddress()).close());
            assertEquals(BindError.ADDRESS_IN_USE, BindError.of(failure));
        }
    }

    @Test
    void otherJdkFailuresAreNotMistakenForARunningDaemon() {
        assertEquals(BindError.OTHER, BindError.of(new BindException("Cannot assign requested address")));
        assertEquals(BindError.FAMILY_UNSUPPORTED, BindError.of(new SocketException("Protocol not supported")));
    }
}
