package org.jepmd.logging;

import org.jepmd.testing.Await;
import org.jepmd.testing.FreePorts;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A mistyped {@code -Dlogback.configurationFile} is reported once on stderr; logging goes on as by default. */
class MissingLogbackConfigurationTest {

    @Test
    void aMissingFileIsReportedOnceAndTheDaemonLogsAsByDefault() throws Exception {
        Path out = Files.createTempFile("jepmd-out", ".txt");
        Path err = Files.createTempFile("jepmd-err", ".txt");
        String missing = "/nonexistent/jepmd/logbak.xml";
        Process daemon = new ProcessBuilder(List.of(System.getProperty("java.home") + "/bin/java",
                "-Dlogback.configurationFile=" + missing, "-cp", System.getProperty("java.class.path"),
                "org.jepmd.Main", "-port", Integer.toString(FreePorts.next()), "-address", "127.0.0.1", "-d"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            Await.holdsWithin(Duration.ofSeconds(15), () -> Files.readString(err).contains("epmd running"));
            String stderr = Files.readString(err);
            List<String> lines = stderr.lines().toList();
            assertEquals("jepmd: Logback configuration " + missing + " not found (-Dlogback.configurationFile):"
                    + " logging to stderr as by default", lines.get(0), stderr);
            assertTrue(lines.get(1).matches("epmd: \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}: epmd running - daemon = 0"),
                    "epmd's own line format follows: " + stderr);
            assertEquals(1, stderr.lines().filter(l -> l.contains("not found")).count(), stderr);
            assertEquals("", Files.readString(out));
        } finally {
            daemon.destroyForcibly().waitFor();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void filesResourcesAndUrlsAreLookedUpAsLogbackDoes() throws Exception {
        ClassLoader loader = getClass().getClassLoader();
        String before = System.getProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY);
        File present = File.createTempFile("logback", ".xml");
        try {
            for (String found : List.of(present.getPath(), present.toURI().toString(), "logback.xml",
                    "https://config.example/logback.xml")) {
                System.setProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY, found);
                assertEquals(Optional.empty(), EpmdLogConfigurator.missingConfigFile(loader), found);
            }
            for (String missing : List.of("/etc/jepmd/no-such.xml", "file:/etc/jepmd/no-such.xml", "no-such.xml")) {
                System.setProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY, missing);
                assertEquals(Optional.of(missing), EpmdLogConfigurator.missingConfigFile(loader), missing);
            }
            System.clearProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY);
            assertEquals(Optional.empty(), EpmdLogConfigurator.missingConfigFile(loader));
        } finally {
            present.delete();
            if (before == null) {
                System.clearProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY);
            } else {
                System.setProperty(EpmdLogConfigurator.CONFIG_FILE_PROPERTY, before);
            }
        }
    }
}
