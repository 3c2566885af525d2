package org.jepmd.server.guard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** This process's soft limit on open files ({@code RLIMIT_NOFILE}), read from {@code /proc/self/limits}. */
final class OpenFileLimit {
    private static final Path LIMITS = Path.of("/proc/self/limits");

    private OpenFileLimit() {
    }

    /** The soft limit, or -1 when it is unlimited or cannot be read (not Linux). */
    static long current() {
        try {
            return parse(Files.readAllLines(LIMITS));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Descriptors this process has open now ({@code /proc/self/fd}), or 0 when they cannot be counted. */
    static int openNow() {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Parses the {@code Max open files  <soft>  <hard>  files} row. */
    static long parse(List<String> lines) {
        for (String line : lines) {
            if (line.startsWith("Max open files")) {
                String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                return fields.length > 0 && fields[0].chars().allMatch(Character::isDigit) && !fields[0].isEmpty()
                        ? Long.parseLong(fields[0]) : -1;
            }
        }
        return -1;
    }
}
