package org.jepmd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code JAVA_HOME} whose {@code bin/java} writes down each command line it is given, then runs
 * this test's real {@code java}: shows whether {@code scripts/jepmd} started a JVM, and with what.
 */
final class RecordingJava {
    private static final String END = "--end-of-command--";
    private final Path home;
    private final Path calls;

    private RecordingJava(Path home, Path calls) {
        this.home = home;
        this.calls = calls;
    }

    /** A recording {@code JAVA_HOME} in the new directory {@code dir}. */
    static RecordingJava in(Path dir) {
        try {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path calls = dir.resolve("calls");
            Files.createFile(calls);
            Path realJava = Path.of(System.getProperty("java.home"), "bin", "java");
            Files.writeString(bin.resolve("java"), "#!/bin/sh\n"
                    + "printf '%s\\n' \"$@\" '" + END + "' >>'" + calls + "'\n"
                    + "exec '" + realJava + "' \"$@\"\n");
            Files.setPosixFilePermissions(bin.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
            return new RecordingJava(dir, calls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code JAVA_HOME} set to this Java and {@code JEPMD_CDS=off} (no archive made for a Java that
     * lives only for one test), plus {@code extra}.
     */
    Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("JAVA_HOME", home.toString());
        env.putIfAbsent("JEPMD_CDS", "off");
        return env;
    }

    /** Every command line given so far, oldest first. */
    List<List<String>> calls() {
        List<List<String>> all = new ArrayList<>();
        List<String> current = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(calls, StandardCharsets.UTF_8)) {
                if (line.equals(END)) {
                    all.add(current);
                    current = new ArrayList<>();
                } else {
                    current.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    /** The last command line that ran jepmd itself (not a class-data-sharing training). */
    List<String> lastMainCall() {
        List<List<String>> all = calls();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).contains("org.jepmd.Main")) {
                return all.get(i);
            }
        }
        throw new AssertionError("jepmd's JVM never started: " + all);
    }

    /** The archive the last jepmd JVM was given ({@code -XX:SharedArchiveFile=}), if any. */
    Optional<Path> lastArchive() {
        String option = "-XX:SharedArchiveFile=";
        return lastMainCall().stream().filter(arg -> arg.startsWith(option))
                .map(arg -> Path.of(arg.substring(option.length()))).reduce((first, second) -> second);
    }
}
