package org.jepmd.restart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's effective user id, as the kernel reports it in {@code /proc/self/status}. */
final class Uid {
    private static final int CURRENT = read();

    private Uid() {
    }

    static int current() {
        return CURRENT;
    }

    private static int read() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]); // real, effective, ...
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return (Integer) uid;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
