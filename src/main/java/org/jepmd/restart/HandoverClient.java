package org.jepmd.restart;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The new daemon's end of a hand-over connection ({@link HandoverProtocol}), used step by step
 * from one thread: a Netty native socket, connected, checked (SO_PEERCRED) and read here directly
 * ({@code recv}, {@code recvmsg} with SCM_RIGHTS), polling while nothing has arrived. No event loop:
 * starting one cost more than the rest of the connection, and Netty's descriptor-reading mode stops
 * after a few descriptors per wake-up. {@link #close()} closes the connection and every received descriptor not yet taken.
 */
final class HandoverClient implements AutoCloseable {
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Direct: the native calls take the buffer's address. */
    private final ByteBuffer received = ByteBuffer.allocateDirect(64 * 1024).flip();
    private final List<Integer> fds = new ArrayList<>();
    private Socket socket;

    /**
     * Connects to the hand-over socket and checks that the daemon there runs as this user.
     *
     * @throws IOException when nothing serves there, or another user does
     */
    static HandoverClient connect(Path socket) throws IOException {
        HandoverClient client = new HandoverClient();
        try {
            client.open(socket);
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private void open(Path path) throws IOException {
        Epoll.ensureAvailability(); // the native library behind Socket
        socket = Socket.newSocketDomain();
        try {
            long deadline = deadline();
            if (!socket.connect(new DomainSocketAddress(path.toString()))) {
                while (!socket.finishConnect()) { // a full backlog: rare on a Unix socket
                    pause(deadline);
                }
            }
        } catch (IOException e) {
            throw new IOException("no daemon to restart at " + path + " (" + e.getMessage() + ")");
        }
        // a channel over the descriptor only to read SO_PEERCRED: never registered, never closed
        int uid = new EpollDomainSocketChannel(socket.intValue()).peerCredentials().uid();
        if (uid != Uid.current()) {
            throw new IOException("the daemon at " + path + " runs as uid " + uid + ", not " + Uid.current());
        }
    }

    /** Sends one step. */
    void send(byte step) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocateDirect(1).put(step).flip();
        long deadline = deadline();
        while (bytes.hasRemaining()) {
            int written = socket.send(bytes, bytes.position(), bytes.limit());
            if (written > 0) {
                bytes.position(bytes.position() + written);
            } else {
                pause(deadline);
            }
        }
    }

    /** Waits until {@code count} bytes have arrived and returns them; fails on a close or after the step timeout. */
    byte[] readBytes(int count) throws IOException {
        byte[] bytes = new byte[count];
        int filled = 0;
        long deadline = deadline();
        while (filled < count) {
            if (!received.hasRemaining()) {
                fill(deadline);
            }
            int n = Math.min(received.remaining(), count - filled);
            received.get(bytes, filled, n);
            filled += n;
        }
        return bytes;
    }

    int readInt() throws IOException {
        return ByteBuffer.wrap(readBytes(4)).getInt();
    }

    /** Everything up to the old daemon's close, as text (a refusal's reason). */
    String readToClose() {
        StringBuilder text = new StringBuilder();
        try {
            long deadline = deadline();
            while (true) {
                if (!received.hasRemaining()) {
                    fill(deadline);
                }
                byte[] chunk = new byte[received.remaining()];
                received.get(chunk);
                text.append(new String(chunk, StandardCharsets.UTF_8));
            }
        } catch (IOException closed) {
            return text.toString();
        }
    }

    private void fill(long deadline) throws IOException {
        received.clear();
        try {
            while (true) {
                int n = socket.recv(received, 0, received.capacity());
                if (n > 0) {
                    received.position(n);
                    return;
                }
                if (n < 0) {
                    throw new IOException("the running daemon closed the hand-over");
                }
                pause(deadline);
            }
        } finally {
            received.flip();
        }
    }

    /** Waits until {@code count} descriptors have arrived and takes them: the caller closes them from now on. */
    List<Integer> takeFds(int count) throws IOException {
        long deadline = deadline();
        while (fds.size() < count) {
            int fd = socket.recvFd();
            if (fd > 0) {
                fds.add(fd);
            } else if (fd < 0) {
                throw new IOException("the running daemon closed the hand-over");
            } else {
                pause(deadline);
            }
        }
        List<Integer> taken = new ArrayList<>(fds);
        fds.clear();
        return taken;
    }

    private static long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HandoverProtocol.STEP_TIMEOUT_MILLIS);
    }

    private static void pause(long deadline) throws IOException {
        if (System.nanoTime() > deadline) {
            throw new IOException("the running daemon did not answer within "
                    + HandoverProtocol.STEP_TIMEOUT_MILLIS / 1000 + " s");
        }
        LockSupport.parkNanos(POLL_NANOS);
    }

    @Override
    public void close() {
        if (socket != null) {
            closeQuietly(socket);
        }
        for (int fd : fds) {
            closeQuietly(new FileDescriptor(fd));
        }
        fds.clear();
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
