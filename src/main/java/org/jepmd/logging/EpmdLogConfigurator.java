package org.jepmd.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

/**
 * jepmd's default Logback configuration, built in code: the configuration
 * {@code src/main/resources/logback.xml} spells out (a test keeps the two equal), without the cost
 * of Logback's XML configurator, which loads and runs some 600 classes at every daemon start.
 * Logback finds it through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator} and
 * runs it before its own configurators.
 *
 * <p>A user's configuration still wins: with {@code -Dlogback.configurationFile} set, or a
 * {@code logback-test.xml} on the class path (the test suite), this configurator does nothing and
 * lets Logback's XML configurator run.
 */
public final class EpmdLogConfigurator extends ContextAwareBase implements Configurator {
    /** The system property that names a user's Logback configuration file. */
    static final String CONFIG_FILE_PROPERTY = "logback.configurationFile";
    /** The audit line: ISO timestamp, level, logger name, logfmt message. */
    static final String AUDIT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level jepmd.audit %msg%n";
    private static final String AUDIT_LOGGER = "jepmd.audit";

    /** Public for {@link java.util.ServiceLoader}. */
    public EpmdLogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (userConfigured(getClass().getClassLoader())) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** True when the user named a configuration file or a {@code logback-test.xml} is on the class path. */
    static boolean userConfigured(ClassLoader loader) {
        return System.getProperty(CONFIG_FILE_PROPERTY) != null || loader.getResource("logback-test.xml") != null;
    }

    /** Configures {@code context} as logback.xml does. */
    static void apply(LoggerContext context) {
        // no status messages on stdout, whatever happens while configuring
        context.getStatusManager().add(new NopStatusListener());

        LayoutWrappingEncoder<ILoggingEvent> epmdLines = new LayoutWrappingEncoder<>();
        EpmdLayout layout = new EpmdLayout();
        layout.setContext(context);
        layout.start();
        epmdLines.setLayout(layout);
        ConsoleAppender<ILoggingEvent> stderr = stderrAppender(context, "STDERR", epmdLines);

        PatternLayoutEncoder auditLines = new PatternLayoutEncoder();
        auditLines.setPattern(AUDIT_PATTERN);
        ConsoleAppender<ILoggingEvent> audit = stderrAppender(context, "AUDIT", auditLines);

        Logger auditLogger = context.getLogger(AUDIT_LOGGER);
        auditLogger.setLevel(Level.INFO);
        auditLogger.setAdditive(false);
        auditLogger.addAppender(audit);
        context.getLogger("io.netty").setLevel(Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
    }

    private static ConsoleAppender<ILoggingEvent> stderrAppender(LoggerContext context, String name,
                                                                Encoder<ILoggingEvent> encoder) {
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
