package org.jepmd.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On epoll a registration connection leaves its Netty channel after the ALIVE2 reply for a
 * {@link RegistrationWatcher} (its cost: {@link RegisteredNodeHeapTest}); the connection must still
 * end, log, count and close as epmd's "keep" connection.
 */
@Timeout(120)
class RegistrationWatcherTest {
    private static final NodeName NAME = NodeName.of("watched");

    private final Logger logger = (Logger) LoggerFactory.getLogger(EpmdLog.NAME);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final List<EpmdEvent> events = new CopyOnWriteArrayList<>();
    private Level previousLevel;
    private RunningJepmd jepmd;
    private EpmdWire.Conn node;

    @BeforeEach
    void start() {
        assumeTrue(Transport.best().kind() == Transport.Kind.EPOLL, "watchers are for the epoll transport");
        previousLevel = logger.getLevel();
        logger.setLevel(Level.INFO);
        lines.start();
        logger.addAppender(lines);
        jepmd = RunningJepmd.start(EpmdEvents.to(events::add), b -> b);
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        if (jepmd != null) {
            jepmd.close();
        }
        logger.detachAppender(lines);
        logger.setLevel(previousLevel);
    }

    @Test
    void aByteAfterTheReplyEndsTheRegistrationWithEpmdsLine() {
        register();
        int fd = registered().fd();
        node.send(new byte[] {42});
        assertTrue(node.closesSilentlyWithin(2000));
        awaitUnregistered();
        assertTrue(Await.poll(Duration.ofSeconds(2), () -> messages().contains("got more than expected on ALIVE socket "
                + fd + " (1)"), b -> b), "the line epmd logs: " + messages());
        int line = messages().indexOf("got more than expected on ALIVE socket " + fd + " (1)");
        List<String> all = messages();
        int unregistering = all.indexOf(all.stream().filter(m -> m.startsWith("unregistering 'watched:")).findFirst().orElse("?"));
        assertTrue(line >= 0 && line < unregistering, "the line, then the unregistering: " + all);
        assertEndedBy(UnregisterCause.UNEXPECTED_DATA);
    }

    @Test
    void theNodesCloseEndsTheRegistration() {
        register();
        node.close();
        awaitUnregistered();
        assertEndedBy(UnregisterCause.CONNECTION_CLOSED);
        assertEquals(0, Await.poll(Duration.ofSeconds(2), () -> jepmd.server().openConnections(), n -> n == 0));
    }

    @Test
    void dumpShowsTheDescriptorOfTheNodesOwnSocket() throws IOException {
        register();
        int fd = registered().fd();
        String dump = new String(EpmdWire.request(jepmd.port(), new byte[] {'d'}), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(dump.contains("active name     <watched> at port 45000, fd = " + fd + "\n"), dump);
        // the descriptor is the daemon's end of this very connection: its peer port is the node's
        String inode = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        assertTrue(inode.startsWith("socket:["), inode);
        String peerPort = String.format("%04X", node.socket().getLocalPort());
        boolean found = Files.readAllLines(Path.of("/proc/net/tcp")).stream().skip(1)
                .map(l -> l.trim().split("\\s+"))
                .anyMatch(f -> ("socket:[" + f[9] + "]").equals(inode) && f[2].endsWith(":" + peerPort));
        assertTrue(found, "fd " + fd + " is not the daemon's end of the node's connection");
    }

    @Test
    void aShutdownClosesWatchedSockets() {
        register();
        jepmd.close();
        jepmd = null;
        assertTrue(node.closesSilentlyWithin(5000), "the node saw no EOF");
    }

    @Test
    void theConnectionIsCarriedByAWatcherNotAChannel() {
        register();
        ChannelConnection owner = (ChannelConnection) registered().owner();
        assertNotNull(Await.poll(Duration.ofSeconds(2), owner::watcher, Objects::nonNull), "no watcher took the socket over");
        assertNull(owner.channel(), "the channel is still referenced");
        assertEquals(1, jepmd.server().openConnections());
    }

    private void register() {
        node = EpmdWire.connect(jepmd.port()).send(EpmdWire.frame(EpmdWire.alive2("watched", 45000)));
        byte[] reply = node.readExactly(6, 2000);
        assertArrayEquals(new byte[] {118, 0}, new byte[] {reply[0], reply[1]}, "ALIVE2_X_RESP, result 0");
    }

    private RegisteredNode registered() {
        RegisteredNode registered = jepmd.server().registry().lookup(NAME);
        assertNotNull(registered);
        return registered;
    }

    private void awaitUnregistered() {
        assertNull(Await.poll(Duration.ofSeconds(2), () -> jepmd.server().registry().lookup(NAME), Objects::isNull),
                "still registered 2 s after the connection ended");
    }

    /** The registration ended for {@code cause}, and then its connection closed, each reported once. */
    private void assertEndedBy(UnregisterCause cause) {
        Await.poll(Duration.ofSeconds(2), () -> events.stream().filter(e -> e instanceof EpmdEvent.ConnectionClosed).count(),
                n -> n >= 1);
        List<EpmdEvent> ending = events.stream()
                .filter(e -> e instanceof EpmdEvent.Unregistered || e instanceof EpmdEvent.ConnectionClosed).toList();
        assertEquals(2, ending.size(), ending.toString());
        assertEquals(cause, ((EpmdEvent.Unregistered) ending.get(0)).cause(), ending.toString());
        assertTrue(ending.get(1) instanceof EpmdEvent.ConnectionClosed, ending.toString());
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
