package org.jepmd.restart;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The restart command's one question to the running daemon ({@link HandoverProtocol#ARGUMENTS}):
 * its arguments. Over the JDK's own Unix-domain {@link SocketChannel}, so that the command's JVM
 * loads no Netty; the daemon checks this end's credentials (SO_PEERCRED), and this end checks the
 * daemon's the same way.
 */
final class RunningArguments {
    private RunningArguments() {
    }

    /**
     * Asks the daemon on {@code socket} for its arguments.
     *
     * @throws IOException saying why not: nothing serves there, another user does, it did not answer
     */
    static List<String> ask(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new IOException("no daemon to restart at " + socket + " (" + e.getMessage() + ")");
            }
            checkSameUser(channel, socket);
            Timeout timeout = new Timeout(channel);
            try {
                channel.write(ByteBuffer.wrap(new byte[] {HandoverProtocol.ARGUMENTS}));
                DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
                List<String> arguments = new ArrayList<>();
                for (int i = in.readInt(); i > 0; i--) {
                    arguments.add(new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8));
                }
                return arguments;
            } catch (EOFException | java.nio.channels.AsynchronousCloseException e) {
                throw new IOException(timeout.expired()
                        ? "the running daemon did not answer within " + HandoverProtocol.STEP_TIMEOUT_MILLIS / 1000 + " s"
                        : "the running daemon closed the hand-over");
            } finally {
                timeout.cancel();
            }
        }
    }

    private static void checkSameUser(SocketChannel channel, Path socket) throws IOException {
        UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        if (!peer.user().equals(Files.getOwner(Path.of("/proc/self")))) {
            throw new IOException("the daemon at " + socket + " runs as " + peer.user().getName() + ", not this user");
        }
    }

    /**
     * Closes the channel after {@link HandoverProtocol#STEP_TIMEOUT_MILLIS}, which ends a blocked read: a
     * sleeping daemon thread, as the JVM's exit would wait for a thread blocked in native code.
     */
    private static final class Timeout {
        private final Thread timer;
        private volatile boolean expired;

        Timeout(SocketChannel channel) {
            timer = new Thread(() -> {
                try {
                    Thread.sleep(HandoverProtocol.STEP_TIMEOUT_MILLIS);
                    expired = true;
                    channel.close();
                } catch (InterruptedException | IOException ignored) {
                    // answered in time, or closed already
                }
            }, "jepmd-restart-timeout");
            timer.setDaemon(true);
            timer.start();
        }

        boolean expired() {
            return expired;
        }

        void cancel() {
            timer.interrupt();
        }
    }
}
