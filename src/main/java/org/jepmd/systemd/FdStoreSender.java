package org.jepmd.systemd;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The two system calls of {@code sd_pid_notify_with_fds()} that Java 17 and Netty lack:
 * {@code sendmsg()} of a notify datagram with descriptors attached (SCM_RIGHTS; Netty's
 * {@code Socket.sendFd} sends one descriptor with a one-byte payload, so it cannot say
 * {@code FDSTORE=1}) and {@code memfd_create()}. Calls libc through JNA, which is loaded the first
 * time this class is used: only when a {@code -systemd} daemon stops into systemd's fd store.
 * Linux on 64-bit processors only (the {@code msghdr} layout below).
 */
public final class FdStoreSender implements AutoCloseable {
    /** SCM_MAX_FD: the kernel's limit on descriptors in one message. */
    public static final int MAX_FDS_PER_MESSAGE = 253;
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDTIMEO = 21;
    private static final int SCM_RIGHTS = 1;
    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    /** F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE: nobody changes the state once written. */
    private static final int ALL_SEALS = 1 | 2 | 4 | 8;
    /** How long a send may wait for room in the service manager's queue. */
    private static final int SEND_TIMEOUT_SECONDS = 5;
    private static final int SOCKADDR_UN_PATH = 108;

    private final Memory address;
    private final int addressLength;
    private final int socket;

    private FdStoreSender(Memory address, int addressLength, int socket) {
        this.address = address;
        this.addressLength = addressLength;
        this.socket = socket;
    }

    /**
     * A datagram socket for sending to {@code notifySocket} ({@code NOTIFY_SOCKET}'s syntax: a path or {@code @abstract}).
     *
     * @throws IOException when the platform is not 64-bit Linux, JNA cannot load, or the socket cannot be made
     */
    public static FdStoreSender to(String notifySocket) throws IOException {
        try {
            if (Native.POINTER_SIZE != 8) {
                throw new IOException("the fd store needs a 64-bit JVM");
            }
        } catch (LinkageError e) {
            throw new IOException("cannot load JNA: " + e);
        }
        byte[] path = notifySocket.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = path.length > 0 && path[0] == '@';
        if (path.length == 0 || path.length >= SOCKADDR_UN_PATH) {
            throw new IOException("bad NOTIFY_SOCKET " + notifySocket);
        }
        Memory address = new Memory(2 + SOCKADDR_UN_PATH);
        address.clear();
        address.setShort(0, (short) AF_UNIX);
        address.write(2, path, 0, path.length);
        if (abstractName) {
            address.setByte(2, (byte) 0);
        }
        int length = 2 + path.length + (abstractName ? 0 : 1);
        int socket = call("socket", AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        Memory timeout = new Memory(16);
        timeout.setLong(0, SEND_TIMEOUT_SECONDS);
        timeout.setLong(8, 0);
        try {
            call("setsockopt", socket, SOL_SOCKET, SO_SNDTIMEO, timeout, 16);
        } catch (IOException e) {
            closeFd(socket);
            throw e;
        }
        return new FdStoreSender(address, length, socket);
    }

    /**
     * Sends {@code message} with {@code fds} attached as one datagram ({@code sd_pid_notify_with_fds()}).
     *
     * @throws IOException with the system's reason when it was not sent
     */
    public void send(String message, List<Integer> fds) throws IOException {
        if (fds.size() > MAX_FDS_PER_MESSAGE) {
            throw new IllegalArgumentException(fds.size() + " descriptors in one message");
        }
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        Memory payload = new Memory(Math.max(1, text.length));
        payload.write(0, text, 0, text.length);
        Memory iov = new Memory(16);
        iov.setPointer(0, payload);
        iov.setLong(8, text.length);
        Memory header = new Memory(56);
        header.clear();
        header.setPointer(0, address);
        header.setInt(8, addressLength);
        header.setPointer(16, iov);
        header.setLong(24, 1);
        if (!fds.isEmpty()) {
            // struct cmsghdr { size_t len; int level; int type; } then the descriptors, padded to 8 bytes
            int dataLength = 4 * fds.size();
            Memory control = new Memory(16 + ((dataLength + 7) & ~7));
            control.clear();
            control.setLong(0, 16 + dataLength);
            control.setInt(8, SOL_SOCKET);
            control.setInt(12, SCM_RIGHTS);
            for (int i = 0; i < fds.size(); i++) {
                control.setInt(16 + 4L * i, fds.get(i));
            }
            header.setPointer(32, control);
            header.setLong(40, control.size());
        }
        int sent = call("sendmsg", socket, header, 0);
        if (sent != text.length) {
            throw new IOException("sent " + sent + " of " + text.length + " bytes");
        }
    }

    /**
     * A sealed memory file holding {@code contents} ({@code memfd_create()}): the caller sends and closes it.
     *
     * @throws IOException with the system's reason
     */
    public static int memoryFile(String name, byte[] contents) throws IOException {
        int fd = call("memfd_create", name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        try {
            Memory buffer = new Memory(Math.max(1, contents.length));
            buffer.write(0, contents, 0, contents.length);
            long written = 0;
            while (written < contents.length) {
                written += call("write", fd, buffer.share(written), (long) (contents.length - written));
            }
            call("fcntl", fd, F_ADD_SEALS, ALL_SEALS);
            return fd;
        } catch (IOException e) {
            closeFd(fd);
            throw e;
        }
    }

    @Override
    public void close() {
        closeFd(socket);
    }

    /** Closes a descriptor this class made. */
    public static void closeQuietly(int fd) {
        closeFd(fd);
    }

    private static void closeFd(int fd) {
        try {
            call("close", fd);
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static int call(String name, Object... arguments) throws IOException {
        try {
            Function function = Function.getFunction("c", name, Function.THROW_LAST_ERROR);
            return function.invokeInt(arguments);
        } catch (LastErrorException e) {
            throw new IOException(name + ": " + e.getMessage());
        } catch (LinkageError e) {
            throw new IOException("cannot call " + name + " through JNA: " + e.getMessage());
        }
    }
}
