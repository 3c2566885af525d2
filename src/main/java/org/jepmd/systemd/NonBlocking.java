package org.jepmd.systemd;

import org.jepmd.server.StartupFailure;

import java.io.FileDescriptor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Puts an inherited descriptor in non-blocking mode. systemd passes blocking sockets, which epmd's
 * {@code select()} loop tolerates; Netty's epoll loop accepts until {@code EAGAIN} and would hang on
 * a blocking one. The JDK keeps {@code fcntl()} internal ({@code sun.nio.ch.IOUtil}), so the JVM
 * must run with {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}; the jar's manifest says so
 * for {@code java -jar}.
 */
final class NonBlocking {
    static final String JVM_OPTION = "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";

    private NonBlocking() {
    }

    static void set(int fd) throws StartupFailure {
        try {
            Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            Method newFd = ioUtil.getMethod("newFD", int.class);
            Method configureBlocking = ioUtil.getMethod("configureBlocking", FileDescriptor.class, boolean.class);
            configureBlocking.invoke(null, newFd.invoke(null, fd), false);
        } catch (IllegalAccessException | ClassNotFoundException | NoSuchMethodException e) {
            throw new StartupFailure(1, "cannot obtain sockets from systemd: the JVM needs " + JVM_OPTION);
        } catch (InvocationTargetException e) {
            throw new StartupFailure(1, "cannot obtain sockets from systemd: " + e.getCause().getMessage());
        }
    }
}
