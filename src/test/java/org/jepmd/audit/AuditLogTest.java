package org.jepmd.audit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.jepmd.server.EpmdEvents;
import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One audit line per event, with the peer, on the {@code jepmd.audit} logger. */
@Timeout(30)
class AuditLogTest {
    private static final String PEER = "peer=127\\.0\\.0\\.1:\\d+";
    private final Logger logger = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level previousLevel;
    private boolean previousAdditive;

    @BeforeEach
    void capture() {
        previousLevel = logger.getLevel();
        previousAdditive = logger.isAdditive();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
        logger.setLevel(previousLevel);
        logger.setAdditive(previousAdditive);
    }

    private static RunningJepmd audited(java.util.function.UnaryOperator<org.jepmd.server.ServerConfig.Builder> more) {
        return RunningJepmd.start(EpmdEvents.to(new AuditLog()), b -> more.apply(b.takeoverGrace(Duration.ZERO)));
    }

    /** Waits (bounded) for a line matching {@code regex} and returns its level. */
    private Level awaitLine(String regex) {
        return Await.value(Duration.ofSeconds(5), () -> List.copyOf(lines.list).stream()
                        .filter(event -> event.getFormattedMessage().matches(regex)).findFirst(), Optional::isPresent,
                () -> "an audit line matching " + regex + " in:\n"
                        + lines.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n")))
                .get().getLevel();
    }

    @Test
    void registerRefusalAndUnregisterOnClose() throws Exception {
        try (RunningJepmd jepmd = audited(b -> b)) {
            try (EpmdWire.Conn owner = EpmdWire.connect(jepmd.port());
                 EpmdWire.Conn duplicate = EpmdWire.connect(jepmd.port())) {
                owner.send(EpmdWire.frame(EpmdWire.alive2("auditee", 40001)));
                owner.readExactly(6, 5000);
                assertEquals(Level.INFO, awaitLine("event=register name=auditee port=40001 type=77 proto=0 highvsn=6 "
                        + "lowvsn=5 creation=\\d+ " + PEER));
                duplicate.send(EpmdWire.frame(EpmdWire.alive2("auditee", 40002)));
                duplicate.readExactly(6, 5000);
                assertEquals(Level.WARN, awaitLine("event=refuse name=auditee port=40002 reason=name_occupied " + PEER));
            }
            assertEquals(Level.INFO, awaitLine("event=unregister name=auditee port=40001 cause=connection_closed " + PEER));
            assertEquals(3, lines.list.size(), "one line per event, and only the refused connection's close is silent");
        }
    }

    @Test
    void stopOfALiveAndAnUnknownName() throws Exception {
        try (RunningJepmd jepmd = audited(b -> b.relaxedCommandCheck(true));
             EpmdWire.Conn node = EpmdWire.connect(jepmd.port())) {
            node.send(EpmdWire.frame(EpmdWire.alive2("victim", 40003)));
            node.readExactly(6, 5000);
            EpmdWire.request(jepmd.port(), EpmdWire.concat(new byte[] {'s'}, EpmdWire.utf8("victim")));
            assertEquals(Level.INFO, awaitLine("event=stop name=victim result=stopped " + PEER));
            assertEquals(Level.INFO, awaitLine("event=unregister name=victim port=40003 cause=stopped " + PEER));
            EpmdWire.request(jepmd.port(), EpmdWire.concat(new byte[] {'s'}, EpmdWire.utf8("ghost")));
            assertEquals(Level.INFO, awaitLine("event=stop name=ghost result=noexist " + PEER));
        }
    }

    @Test
    void killRefusedWithLiveNodesThenAccepted() throws Exception {
        try (RunningJepmd jepmd = audited(b -> b)) {
            try (EpmdWire.Conn node = EpmdWire.connect(jepmd.port())) {
                node.send(EpmdWire.frame(EpmdWire.alive2("alive", 40004)));
                node.readExactly(6, 5000);
                EpmdWire.request(jepmd.port(), new byte[] {'k'});
                assertEquals(Level.WARN, awaitLine("event=kill result=refused_live_nodes " + PEER));
            }
            awaitLine("event=unregister name=alive .*");
            EpmdWire.request(jepmd.port(), new byte[] {'k'});
            assertEquals(Level.INFO, awaitLine("event=kill result=accepted " + PEER));
        }
    }

    @Test
    void nonLocalAttemptTimeoutAndDroppedRequest() throws Exception {
        try (RunningJepmd jepmd = audited(b -> b.localPeers((remote, local) -> false)
                .packetTimeout(Duration.ofMillis(300)))) {
            EpmdWire.request(jepmd.port(), new byte[] {'d'});
            assertEquals(Level.WARN, awaitLine("event=non_local request=DUMP_REQ " + PEER));
            try (EpmdWire.Conn silent = EpmdWire.connect(jepmd.port())) {
                assertTrue(silent.closesSilentlyWithin(5000));
            }
            assertEquals(Level.WARN, awaitLine("event=timeout " + PEER));
        }
        try (RunningJepmd jepmd = audited(b -> b)) {
            EpmdWire.request(jepmd.port(), EpmdWire.concat(new byte[] {'s'}, EpmdWire.utf8("x")));
            assertEquals(Level.WARN, awaitLine(
                    "event=drop request=STOP_REQ reason=\"Disallowed STOP_REQ, no relaxed_command_check\" " + PEER));
        }
    }

    @Test
    void charactersThatForgeOrDisguiseALineAreEscapedAndQuoted() throws Exception {
        // name as registered -> as audited: bidi override, NEL, line and paragraph separators, C1 CSI, isolates
        String[][] cases = {
            {"gpj\u202Eexe", "\"gpj\\\\u202eexe\""},
            {"a\u0085b", "\"a\\\\u0085b\""},
            {"a\u2028b", "\"a\\\\u2028b\""},
            {"a\u2029b", "\"a\\\\u2029b\""},
            {"a\u009B2Jb", "\"a\\\\u009b2Jb\""},
            {"a\u2066b\u2069\u200F", "\"a\\\\u2066b\\\\u2069\\\\u200f\""},
        };
        try (RunningJepmd jepmd = audited(b -> b)) {
            for (int i = 0; i < cases.length; i++) {
                try (EpmdWire.Conn node = EpmdWire.connect(jepmd.port())) {
                    node.send(EpmdWire.frame(EpmdWire.alive2(cases[i][0], 40100 + i)));
                    assertEquals(0, node.readExactly(6, 5000)[1], "registration of case " + i);
                    awaitLine("event=register name=" + cases[i][1] + " port=" + (40100 + i) + " .*");
                }
            }
        }
        for (ILoggingEvent event : lines.list) {
            String line = event.getFormattedMessage();
            assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7F), "raw character in: " + line);
        }
    }

    @Test
    void queryFromOutsideAllowQueryIsAudited() throws Exception {
        EpmdEvents.to(new AuditLog()).queryDenied(org.jepmd.protocol.EpmdTag.NAMES_REQ,
                new java.net.InetSocketAddress("192.0.2.7", 40000));
        assertEquals(Level.WARN, awaitLine("event=query_denied request=NAMES_REQ peer=192\\.0\\.2\\.7:40000"));
    }
}
