package org.jepmd.restart;

import io.netty.channel.unix.FileDescriptor;
import org.jepmd.server.EpmdEvents;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.Handover;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * The new daemon's side of {@code jepmd -restart}: takes the listening sockets, the registration
 * connections and the registry over from the daemon serving {@link #ENV}'s hand-over socket, and
 * serves them. Until the old daemon commits, nothing is read or accepted here; any failure leaves
 * the old daemon serving, unchanged.
 */
public final class Takeover {
    /** Set (to the hand-over socket's path) in the environment of a daemon that takes over. */
    public static final String ENV = "JEPMD_TAKEOVER";

    private Takeover() {
    }

    /**
     * Takes over from the daemon at {@code socket} and serves; the old daemon then exits.
     *
     * @throws StartupFailure (exit 1) with the reason, the old daemon still serving
     */
    public static EpmdServer run(ServerConfig config, EpmdEvents events, Path socket) throws StartupFailure {
        long started = System.nanoTime();
        try (HandoverClient client = HandoverClient.connect(socket)) {
            client.send(HandoverProtocol.TAKE_OVER);
            byte answer = client.readBytes(1)[0];
            if (answer != HandoverProtocol.STATE) {
                throw new IOException(client.readToClose());
            }
            RegistryState state;
            try {
                state = StateCodec.decode(client.readBytes(client.readInt()));
            } catch (StateCodec.StateFormatException e) {
                client.send(HandoverProtocol.GIVE_UP);
                throw new IOException(e.getMessage());
            }
            int listenerCount = client.readInt();
            int nodeCount = client.readInt();
            int handoverCount = client.readInt();
            if (nodeCount != state.live().size() || handoverCount != 1 || listenerCount < 1) {
                client.send(HandoverProtocol.GIVE_UP);
                throw new IOException("the running daemon's hand-over does not add up");
            }
            List<Integer> fds = new ArrayList<>();
            int total = listenerCount + handoverCount + nodeCount + state.refused();
            while (fds.size() < total) {
                client.send(HandoverProtocol.SEND_FDS);
                fds.addAll(client.takeFds(Math.min(HandoverProtocol.FD_BATCH, total - fds.size())));
            }
            EpmdServer server = adopt(config, events, state, fds, listenerCount);
            int handoverFd = fds.get(listenerCount);
            client.send(HandoverProtocol.READY);
            try {
                if (client.readBytes(1)[0] != HandoverProtocol.COMMIT) {
                    throw new IOException("the running daemon did not commit");
                }
            } catch (IOException e) {
                server.close(); // this process's copies only: the old daemon serves on
                closeQuietly(handoverFd);
                throw e;
            }
            server.serve();
            RestartListener.adopt(server, handoverFd, socket);
            LOG.info("took over from pid {}: {} registered nodes in {} ms", state.pid(), state.live().size(),
                    (System.nanoTime() - started) / 1_000_000);
            return server;
        } catch (IOException e) {
            String message = "cannot take over: " + e.getMessage();
            LOG.warn(message);
            throw new StartupFailure(1, message);
        }
    }

    private static EpmdServer adopt(ServerConfig config, EpmdEvents events, RegistryState state, List<Integer> fds, int listenerCount)
            throws IOException {
        List<Handover.HandedNode> nodes = new ArrayList<>();
        int next = listenerCount + 1;
        for (RegistryState.LiveNode node : state.live()) {
            nodes.add(new Handover.HandedNode(fds.get(next++), node.info(), node.creation(),
                    node.registeredAt()));
        }
        try {
            return EpmdServer.takeOver(config, events, fds.subList(0, listenerCount), nodes,
                    fds.subList(next, next + state.refused()), state.unused());
        } catch (StartupFailure e) {
            fds.forEach(Takeover::closeQuietly);
            throw new IOException(e.getMessage());
        }
    }

    private static void closeQuietly(int fd) {
        try {
            new FileDescriptor(fd).close();
        } catch (IOException ignored) {
            // already closed
        }
    }

}
