package org.jepmd.docs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.jepmd.http.EpmdMetrics;
import org.jepmd.logging.AuditLayout;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** docs/operations.md says what the code does: the metrics it exports, the audit line's timestamp. */
class DocsMatchCodeTest {
    private static final Path OPERATIONS = Path.of("docs/operations.md");
    /** AuditLayout's timestamp pattern: the offset as {@code Z} in UTC, else {@code +hh:mm}. */
    private static final DateTimeFormatter AUDIT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    @Test
    void theMetricsTableListsExactlyTheMetricsExported() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, new EpmdMetrics().scrape());
        Set<String> exported = new TreeSet<>();
        Matcher sample = Pattern.compile("(?m)^(jepmd_\\w+?)(?:\\{| )").matcher(out.toString(StandardCharsets.UTF_8));
        while (sample.find()) {
            exported.add(sample.group(1));
        }
        String docs = Files.readString(OPERATIONS);
        String table = docs.substring(docs.indexOf("| Metric | Labels | Meaning |"));
        table = table.substring(0, table.indexOf("\n\n"));
        Set<String> documented = new TreeSet<>();
        for (String row : table.split("\n")) {
            String name = row.split("\\|")[1];
            Matcher metric = Pattern.compile("`(jepmd_\\w+)`").matcher(name);
            while (metric.find()) {
                documented.add(metric.group(1));
            }
        }
        assertFalse(exported.isEmpty());
        assertEquals(exported, documented, "docs/operations.md's metrics table against /metrics");
    }

    @Test
    void theAuditSampleLinesCarryTheTimestampsAuditLayoutWrites() throws IOException {
        List<String> samples = Files.readString(OPERATIONS).lines()
                .filter(line -> line.matches("\\S+ (INFO|WARN) +jepmd\\.audit .*")).toList();
        assertFalse(samples.isEmpty(), "no audit sample lines in docs/operations.md");
        AuditLayout layout = new AuditLayout();
        layout.setContext(new LoggerContext());
        layout.start();
        LoggingEvent event = new LoggingEvent();
        event.setLevel(Level.INFO);
        event.setMessage("event=register name=app");
        event.setTimeStamp(1_795_316_254_123L);
        for (String line : new java.util.ArrayList<String>() {{
                addAll(samples);
                add(layout.doLayout(event).strip());
            }}) {
            String stamp = line.substring(0, line.indexOf(' '));
            assertEquals(stamp, AUDIT_TIME.format(OffsetDateTime.parse(stamp)), "as AuditLayout writes it: " + line);
        }
    }
}
