package org.jepmd.systemd;

import org.jepmd.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/systemd's units: what they say, and that systemd itself accepts them. */
class SystemdUnitsTest {
    private static final Path UNITS = Path.of("scripts/systemd");

    private static List<String> lines(String unit) throws IOException {
        return Files.readAllLines(UNITS.resolve(unit));
    }

    @Test
    void theSocketHoldsTheLoopbackPortsOnly() throws IOException {
        List<String> socket = lines("jepmd.socket");
        assertEquals(List.of("ListenStream=127.0.0.1:4369", "ListenStream=[::1]:4369"),
                socket.stream().filter(l -> l.startsWith("ListenStream=")).toList());
        assertTrue(socket.contains("Accept=false"));
    }

    @Test
    void theServiceIsANotifyServiceActivatedWithMinusSystemdInASandbox() throws IOException {
        List<String> service = lines("jepmd.service");
        assertTrue(service.contains("Type=notify"));
        assertTrue(service.stream().anyMatch(l -> l.matches("ExecStart=\\S+/jepmd -systemd")), service.toString());
        for (String directive : List.of("DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "PrivateTmp=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX")) {
            assertTrue(service.contains(directive), directive);
        }
    }

    @Test
    void systemdAnalyzeVerifiesBothUnitsAndRatesTheSandbox(@TempDir Path dir) throws Exception {
        String analyze = Requirements.require("systemd-analyze", "install systemd");
        Files.copy(UNITS.resolve("jepmd.socket"), dir.resolve("jepmd.socket"));
        // the launcher is not installed here: point ExecStart at a program that exists
        Files.writeString(dir.resolve("jepmd.service"), Files.readString(UNITS.resolve("jepmd.service"))
                .replaceFirst("(?m)^ExecStart=\\S+", "ExecStart=/bin/true"));
        String verify = run(analyze, "verify", "--man=no", dir.resolve("jepmd.socket").toString(),
                dir.resolve("jepmd.service").toString());
        assertEquals("", verify.strip());
        String security = run(analyze, "security", "--offline=yes", dir.resolve("jepmd.service").toString());
        Matcher level = Pattern.compile("Overall exposure level for jepmd.service: (\\d+\\.\\d)").matcher(security);
        assertTrue(level.find(), security);
        assertTrue(Double.parseDouble(level.group(1)) <= 3.5, "exposure " + level.group(1));
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "systemd-analyze hangs");
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
