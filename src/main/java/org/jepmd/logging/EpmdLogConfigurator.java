package org.jepmd.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import org.jepmd.audit.AuditLog;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.Optional;

/**
 * jepmd's default Logback configuration, built in code: the configuration
 * {@code src/main/resources/logback.xml} spells out (a test keeps the two equal), without the cost
 * of Logback's XML configurator, which loads and runs some 600 classes at every daemon start, and
 * with the audit pattern written out as {@link AuditLayout}.
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

    /** Public for {@link java.util.ServiceLoader}. */
    public EpmdLogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = getClass().getClassLoader();
        Optional<String> missing = missingConfigFile(loader);
        if (missing.isPresent()) {
            // Logback would fall back to the default without a word: say it, once, where the logs go
            System.err.print("jepmd: Logback configuration " + missing.get() + " not found"
                    + " (-D" + CONFIG_FILE_PROPERTY + "): logging to stderr as by default\n");
            System.err.flush();
            apply(context);
            return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
        }
        if (userConfigured(loader)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** True when the user named a configuration file or a {@code logback-test.xml} is on the class path. */
    static boolean userConfigured(ClassLoader loader) {
        return System.getProperty(CONFIG_FILE_PROPERTY) != null || loader.getResource("logback-test.xml") != null;
    }

    /**
     * The value of {@code -Dlogback.configurationFile} when Logback cannot find it as it looks for it
     * (a URL, else a class path resource, else a file); empty when unset or found. Other URL schemes
     * than {@code file:} count as found.
     */
    static Optional<String> missingConfigFile(ClassLoader loader) {
        String value = System.getProperty(CONFIG_FILE_PROPERTY);
        if (value == null) {
            return Optional.empty();
        }
        try {
            URL url = new URL(value);
            boolean found = !"file".equals(url.getProtocol()) || new File(url.getPath()).isFile();
            return found ? Optional.empty() : Optional.of(value);
        } catch (MalformedURLException notAUrl) {
            boolean found = loader.getResource(value) != null || new File(value).isFile();
            return found ? Optional.empty() : Optional.of(value);
        }
    }

    /** Configures {@code context} as logback.xml does. */
    static void apply(LoggerContext context) {
        // no status messages on stdout, whatever happens while configuring
        context.getStatusManager().add(new NopStatusListener());

        ConsoleAppender<ILoggingEvent> stderr = stderrAppender(context, "STDERR", new EpmdLayout());
        // logback.xml's audit pattern, without Logback's pattern machinery
        ConsoleAppender<ILoggingEvent> audit = stderrAppender(context, "AUDIT", new AuditLayout());

        Logger auditLogger = context.getLogger(AuditLog.LOGGER);
        auditLogger.setLevel(Level.INFO);
        auditLogger.setAdditive(false);
        auditLogger.addAppender(audit);
        context.getLogger("io.netty").setLevel(Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
    }

    private static ConsoleAppender<ILoggingEvent> stderrAppender(LoggerContext context, String name,
                                                                LayoutBase<ILoggingEvent> layout) {
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setLayout(layout);
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
