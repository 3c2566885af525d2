package org.jepmd.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.StatusListener;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in logging configuration is the one logback.xml spells out, and a user's file wins. */
class EpmdLogConfiguratorTest {
    private static final List<String> LOGGERS = List.of(Logger.ROOT_LOGGER_NAME, "jepmd", "jepmd.audit",
            "jepmd.other", "io.netty", "io.netty.channel", "org.jepmd.anything");

    @Test
    void buildsTheSameLoggersAppendersAndLinesAsLogbackXml() throws Exception {
        LoggerContext fromXml = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        URL xml = getClass().getClassLoader().getResource("logback.xml");
        assertNotNull(xml, "src/main/resources/logback.xml");
        joran.doConfigure(xml);

        LoggerContext inCode = new LoggerContext();
        EpmdLogConfigurator.apply(inCode);

        for (String name : LOGGERS) {
            Logger expected = fromXml.getLogger(name);
            Logger actual = inCode.getLogger(name);
            assertEquals(expected.getLevel(), actual.getLevel(), name + " level");
            assertEquals(expected.getEffectiveLevel(), actual.getEffectiveLevel(), name + " effective level");
            assertEquals(expected.isAdditive(), actual.isAdditive(), name + " additivity");
            List<Appender<ILoggingEvent>> expectedAppenders = appenders(expected);
            List<Appender<ILoggingEvent>> actualAppenders = appenders(actual);
            assertEquals(expectedAppenders.size(), actualAppenders.size(), name + " appenders");
            for (int i = 0; i < expectedAppenders.size(); i++) {
                assertSameAppender(expectedAppenders.get(i), actualAppenders.get(i), fromXml, inCode, name);
            }
        }
        assertEquals(statusListenerTypes(fromXml), statusListenerTypes(inCode));
    }

    @Test
    void aUserConfigurationFileOrLogbackTestXmlWins() {
        ClassLoader bare = new ClassLoader(null) {
        };
        String before = System.getProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY);
        try {
            System.clearProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY);
            assertFalse(EpmdLogConfigurator.userConfigured(bare));
            assertTrue(EpmdLogConfigurator.userConfigured(getClass().getClassLoader()), "logback-test.xml");
            System.setProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY, "/etc/jepmd/logback.xml");
            assertTrue(EpmdLogConfigurator.userConfigured(bare));
        } finally {
            if (before == null) {
                System.clearProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY);
            } else {
                System.setProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY, before);
            }
        }
    }

    private static void assertSameAppender(Appender<ILoggingEvent> expected, Appender<ILoggingEvent> actual,
                                           LoggerContext fromXml, LoggerContext inCode, String logger) {
        assertEquals(expected.getName(), actual.getName(), logger);
        assertEquals(expected.getClass(), actual.getClass(), logger);
        assertTrue(actual.isStarted(), logger);
        ConsoleAppender<ILoggingEvent> expectedConsole = (ConsoleAppender<ILoggingEvent>) expected;
        ConsoleAppender<ILoggingEvent> actualConsole = (ConsoleAppender<ILoggingEvent>) actual;
        assertEquals(expectedConsole.getTarget(), actualConsole.getTarget(), logger);
        // the encoders may differ (AuditLayout stands for the audit pattern): their bytes may not
        Throwable thrown = new IllegalStateException("peer went away"); // one stack trace for both
        for (Level level : List.of(Level.WARN, Level.INFO, Level.DEBUG)) {
            assertArrayEquals(expectedConsole.getEncoder().encode(event(fromXml, level, thrown)),
                    actualConsole.getEncoder().encode(event(inCode, level, thrown)), logger + " line at " + level);
        }
    }

    private static ILoggingEvent event(LoggerContext context, Level level, Throwable thrown) {
        Logger logger = context.getLogger("jepmd.audit");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, level,
                "event=register name={} port={}", thrown,
                new Object[] {"app", 37011});
        event.setTimeStamp(1_795_316_254_123L);
        return event;
    }

    private static List<Appender<ILoggingEvent>> appenders(Logger logger) {
        List<Appender<ILoggingEvent>> list = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
            list.add(it.next());
        }
        return list;
    }

    private static List<Class<?>> statusListenerTypes(LoggerContext context) {
        List<Class<?>> types = new ArrayList<>();
        for (StatusListener listener : context.getStatusManager().getCopyOfStatusListenerList()) {
            types.add(listener.getClass());
        }
        return types;
    }
}
