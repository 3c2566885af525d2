package org.jepmd.restart;

import org.jepmd.protocol.NodeName;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.server.EpmdEvents;
import org.jepmd.server.EpmdServer;
import org.jepmd.server.ServerConfig;
import org.jepmd.server.StartupFailure;
import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.jepmd.testing.Pause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jepmd -restart}'s hand-over between two daemons in this JVM, over the real hand-over socket:
 * the registrations' connections, creations and unused names go over, and what a node does during
 * the hand-over is acted on by the new daemon.
 */
class HandoverTest {
    @TempDir
    Path tmp;
    private final List<EpmdServer> servers = new ArrayList<>();
    private final List<EpmdWire.Conn> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(EpmdWire.Conn::close);
        servers.forEach(EpmdServer::close);
    }

    private ServerConfig config(int port) {
        return ServerConfig.builder().port(port).addresses(List.of("127.0.0.1"))
                .arguments(List.of("-port", Integer.toString(port))).build();
    }

    private EpmdServer first(int port) throws StartupFailure {
        EpmdServer server = EpmdServer.start(config(port));
        servers.add(server);
        assertNotNull(RestartListener.open(server, paths()));
        return server;
    }

    private HandoverPaths paths() {
        return HandoverPaths.in(tmp.resolve("run"));
    }

    private EpmdServer takeOver(int port) throws StartupFailure {
        EpmdServer server = Takeover.run(config(port), EpmdEvents.NONE, paths().socket(port));
        servers.add(server);
        return server;
    }

    private EpmdWire.Conn register(int port, String name) {
        EpmdWire.Conn node = EpmdWire.connect(port).send(EpmdWire.frame(EpmdWire.alive2(name, 40000 + nodes.size())));
        byte[] reply = node.readExactly(6, 5000);
        assertEquals(118, reply[0], "ALIVE2_X_RESP");
        assertEquals(0, reply[1], "registered");
        nodes.add(node);
        return node;
    }

    private static boolean found(int port, String name) {
        try {
            byte[] reply = EpmdWire.request(port, EpmdWire.portPlease2(name));
            return reply.length > 2 && reply[0] == 'w' && reply[1] == 0;
        } catch (RuntimeException | AssertionError e) {
            return false;
        }
    }

    private static void await(Await.Condition condition, String what) {
        Await.until(Duration.ofSeconds(5), condition, () -> what);
    }

    @Test
    void registrationsGoOverWithTheirCreationsAndTheOldDaemonExits() throws Exception {
        int port = FreePorts.next();
        EpmdServer old = first(port);
        register(port, "alpha");
        register(port, "beta");
        register(port, "gone").close();
        await(() -> old.registry().lookup(NodeName.of("gone")) == null, "gone unregistered");
        long alpha = old.registry().lookup(NodeName.of("alpha")).creation();
        long beta = old.registry().lookup(NodeName.of("beta")).creation();

        EpmdServer next = takeOver(port);
        assertEquals(0, old.terminated().get(5, TimeUnit.SECONDS), "the old daemon stops with 0");
        assertEquals(alpha, next.registry().lookup(NodeName.of("alpha")).creation());
        assertEquals(beta, next.registry().lookup(NodeName.of("beta")).creation());
        assertEquals(List.of("beta", "alpha"),
                next.registry().newestFirst().stream().map(n -> n.name().toString()).toList(), "NAMES order kept");
        assertEquals(1, next.registry().unused().size(), "the unused list goes over");
        assertTrue(found(port, "alpha") && found(port, "beta"));
        assertTrue(nodes.get(0).staysOpenFor(200), "the node saw no close");

        nodes.get(0).send(new byte[] {1}); // a stray byte ends a registration, in the new daemon
        await(() -> next.registry().lookup(NodeName.of("alpha")) == null, "alpha unregistered on a byte");
        nodes.get(1).close();
        await(() -> next.registry().lookup(NodeName.of("beta")) == null, "beta unregistered on close");
        register(port, "alpha");
        assertEquals(alpha + 1, next.registry().lookup(NodeName.of("alpha")).creation(), "creation continues");
    }

    @Test
    void whatANodeSendsDuringTheHandOverIsActedOnByTheNewDaemon() throws Exception {
        int port = FreePorts.next();
        EpmdServer old = first(port);
        EpmdWire.Conn closing = register(port, "closing");
        EpmdWire.Conn talking = register(port, "talking");
        register(port, "staying");
        // a hand-over that stops between the state and the descriptors: the old daemon is paused meanwhile
        try (HandoverClient client = HandoverClient.connect(paths().socket(port))) {
            client.send(HandoverProtocol.TAKE_OVER);
            assertEquals(HandoverProtocol.STATE, client.readBytes(1)[0]);
            closing.close();
            talking.send(new byte[] {7});
            Pause.millis(100);
            assertNotNull(old.registry().lookup(NodeName.of("closing")), "paused: nothing read");
        }
        // the old one resumed and read both
        await(() -> old.registry().lookup(NodeName.of("closing")) == null, "closing unregistered after resume");
        await(() -> old.registry().lookup(NodeName.of("talking")) == null, "talking unregistered after resume");

        EpmdWire.Conn late = register(port, "late");
        EpmdServer next;
        try (HandoverClient spy = HandoverClient.connect(paths().socket(port))) {
            next = null;
        }
        AtomicBoolean closed = new AtomicBoolean();
        Thread closer = new Thread(() -> {
            Pause.millis(5);
            late.close();
            closed.set(true);
        });
        closer.start();
        next = takeOver(port);
        closer.join();
        EpmdServer taken = next;
        await(() -> taken.registry().lookup(NodeName.of("late")) == null, "a node closed during the hand-over is unregistered");
        assertNotNull(taken.registry().lookup(NodeName.of("staying")));
    }

    @Test
    void aConnectionKeptAfterARefusedAlive2GoesOverOpen() throws Exception {
        int port = FreePorts.next();
        EpmdServer old = first(port);
        register(port, "alpha");
        EpmdWire.Conn refused = EpmdWire.connect(port).send(EpmdWire.frame(EpmdWire.alive2("alpha", 40999)));
        nodes.add(refused);
        byte[] reply = refused.readExactly(6, 5000);
        assertEquals(118, reply[0], "ALIVE2_X_RESP");
        assertNotEquals(0, reply[1], "refused: the name is taken");
        assertTrue(refused.staysOpenFor(100), "epmd keeps a refused connection open until the node closes it");

        EpmdServer next = takeOver(port);
        assertEquals(0, old.terminated().get(5, TimeUnit.SECONDS), "the old daemon stops with 0");
        assertTrue(refused.staysOpenFor(300), "the refused connection went over, open");
        refused.send(new byte[] {1}); // a stray byte: the new daemon closes it, as it closes any kept connection
        assertTrue(refused.closesSilentlyWithin(5000), "the new daemon serves the refused connection");
        assertNotNull(next.registry().lookup(NodeName.of("alpha")), "the holder's registration is untouched");
        assertTrue(found(port, "alpha"));
    }

    @Test
    void aNewDaemonThatDiesMidWayLeavesTheOldServingUnchanged() throws Exception {
        int port = FreePorts.next();
        EpmdServer old = first(port);
        register(port, "alpha");
        long creation = old.registry().lookup(NodeName.of("alpha")).creation();
        try (HandoverClient client = HandoverClient.connect(paths().socket(port))) {
            client.send(HandoverProtocol.TAKE_OVER);
            assertEquals(HandoverProtocol.STATE, client.readBytes(1)[0]);
            byte[] state = client.readBytes(client.readInt());
            int count = client.readInt() + client.readInt() + client.readInt();
            client.send(HandoverProtocol.SEND_FDS);
            List<Integer> fds = client.takeFds(count); // fewer than a batch
            assertEquals(count, fds.size()); // listeners, hand-over socket, alpha
            for (int fd : fds) {
                new io.netty.channel.unix.FileDescriptor(fd).close();
            }
            assertTrue(StateCodec.decode(state).live().size() == 1);
        } // dies here, before READY
        await(() -> found(port, "alpha"), "the old daemon serves again");
        assertEquals(creation, old.registry().lookup(NodeName.of("alpha")).creation());
        assertTrue(nodes.get(0).staysOpenFor(200));
        assertTrue(!old.terminated().isDone());
        EpmdServer next = takeOver(port); // and a real restart still works after it
        assertEquals(creation, next.registry().lookup(NodeName.of("alpha")).creation());
    }

    @Test
    void twoTakeOversAtOnceOneWins() throws Exception {
        int port = FreePorts.next();
        first(port);
        register(port, "alpha");
        try (HandoverClient holder = HandoverClient.connect(paths().socket(port))) {
            holder.send(HandoverProtocol.TAKE_OVER);
            assertEquals(HandoverProtocol.STATE, holder.readBytes(1)[0]);
            StartupFailure failure = assertThrows(StartupFailure.class, () -> takeOver(port));
            assertTrue(failure.getMessage().contains("another restart is in progress"), failure.getMessage());
        }
    }

    @Test
    void aForeignUserIsRefused() throws Exception {
        int port = FreePorts.next();
        EpmdServer server = EpmdServer.start(config(port));
        servers.add(server);
        assertNotNull(RestartListener.open(server, paths(), Uid.current() + 1)); // as if run by another user
        register(port, "alpha");
        assertThrows(StartupFailure.class, () -> takeOver(port));
        assertTrue(found(port, "alpha"));
        assertTrue(!server.terminated().isDone());
    }

    @Test
    void aStaleSocketIsReplacedAndAnOpenDirectoryRefused() throws Exception {
        int port = FreePorts.next();
        Path run = paths().secureDirectory();
        Path stale = paths().socket(port);
        try (var dead = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            dead.bind(java.net.UnixDomainSocketAddress.of(stale));
        } // closed: the name stays, nobody listens
        StartupFailure noDaemon = assertThrows(StartupFailure.class, () -> takeOver(port));
        assertTrue(noDaemon.getMessage().contains("no daemon to restart"), noDaemon.getMessage());
        first(port); // replaces it
        register(port, "alpha");
        assertNotNull(takeOver(port).registry().lookup(NodeName.of("alpha")));

        Files.setPosixFilePermissions(run, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException open = assertThrows(IOException.class, () -> paths().secureDirectory());
        assertTrue(open.getMessage().contains("open to other users"), open.getMessage());
        int other = FreePorts.next();
        EpmdServer unprotected = EpmdServer.start(config(other));
        servers.add(unprotected);
        assertNull(RestartListener.open(unprotected, paths()), "no hand-over socket in an open directory");
    }

    @Test
    void aThousandRegistrationsInUnderASecondWithoutAFailedLookup() throws Exception {
        int port = FreePorts.next();
        EpmdServer old = first(port);
        for (int i = 0; i < 1000; i++) {
            register(port, "n" + i);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger lookups = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Thread looking = new Thread(() -> {
            while (running.get()) {
                if (found(port, "n" + (lookups.get() % 1000))) {
                    lookups.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            }
        });
        looking.start();
        Pause.millis(200);
        long start = System.nanoTime();
        EpmdServer next = takeOver(port);
        old.terminated().get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Pause.millis(200);
        running.set(false);
        looking.join();
        System.out.printf("hand-over of 1000 registrations: %d ms; %d lookups, %d failed%n", millis, lookups.get(), failed.get());
        assertEquals(1000, next.registry().size());
        assertEquals(0, failed.get(), "failed lookups");
        assertTrue(millis <= 3000, "hand-over took " + millis + " ms"); // about 250 ms measured; generous for a loaded 2-core host
        assertTrue(lookups.get() > 0);
    }

    @Test
    void aHundredRestartsInARowKeepTheRegistrationsAndOpenFiles() throws Exception {
        int port = FreePorts.next();
        EpmdServer current = first(port);
        register(port, "alpha");
        register(port, "beta");
        long alpha = current.registry().lookup(NodeName.of("alpha")).creation();
        long fdsAfterFirst = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            EpmdServer next = takeOver(port);
            current.terminated().get(5, TimeUnit.SECONDS);
            servers.remove(current);
            current = next;
            if (i == 0) {
                fdsAfterFirst = openFiles();
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long fdsAfterLast = openFiles();
        System.out.printf("100 restarts: %d ms; open files after the 1st %d, after the 100th %d%n",
                millis, fdsAfterFirst, fdsAfterLast);
        assertEquals(alpha, current.registry().lookup(NodeName.of("alpha")).creation());
        assertEquals(2, current.registry().size());
        assertTrue(fdsAfterLast <= fdsAfterFirst + 2, "open files grew: " + fdsAfterFirst + " -> " + fdsAfterLast);
        assertTrue(found(port, "beta"));
        for (RegisteredNode node : current.registry().newestFirst()) {
            assertTrue(node.fd() > 0);
        }
    }

    private static long openFiles() throws IOException {
        Pause.millis(50);
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aStoppingDaemonTakesOnlyItsOwnSocketsNameAlong() throws Exception {
        int port = FreePorts.next();
        EpmdServer stopping = first(port);
        Path name = paths().socket(port);
        // another daemon's socket under the name by the time this one stops (a daemon started on the
        // port between this one freeing it and finishing its stop)
        Files.delete(name);
        try (java.nio.channels.ServerSocketChannel successor =
                     java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            successor.bind(java.net.UnixDomainSocketAddress.of(name));
            Object successorInode = Files.getAttribute(name, "unix:ino");
            stopping.close();
            assertTrue(Files.exists(name), "the stopped daemon deleted its successor's hand-over socket");
            assertEquals(successorInode, Files.getAttribute(name, "unix:ino"));
        }
        Files.deleteIfExists(name);

        EpmdServer own = first(port);
        own.close();
        assertTrue(Files.notExists(name), "a stopped daemon leaves its own hand-over socket behind");
    }
}
