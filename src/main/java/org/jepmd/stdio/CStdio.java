package org.jepmd.stdio;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's standard output and error as epmd's C stdio has them, so that jepmd's output
 * reaches pipes, files and terminals in the same {@code write()}s as epmd's: stdout fully buffered
 * (sent when a buffer fills and at exit) unless it is a terminal, then line buffered; stderr
 * unbuffered (each print is one write, as each {@code fprintf(stderr, ...)}).
 *
 * <p>The owner must {@link PrintStream#flush() flush} stdout before exiting, as C's {@code exit()} does.
 */
public final class CStdio {
    /** glibc's buffer is the descriptor's {@code st_blksize}: a page for pipes, files and /dev/null. */
    private static final int PAGE_BUFFER = 4096;
    /** ... and 1024 for a pseudo-terminal (devpts). */
    private static final int PTY_BUFFER = 1024;

    private CStdio() {
    }

    /** Standard output, buffered as glibc buffers it for what descriptor 1 is. */
    public static PrintStream stdout() {
        String target = descriptorTarget(1);
        boolean terminal = isTerminal(target);
        int size = target.startsWith("/dev/pts/") ? PTY_BUFFER : PAGE_BUFFER;
        return new PrintStream(new StdioBuffer(new FileOutputStream(FileDescriptor.out), size, terminal), false);
    }

    /** Standard error, unbuffered. */
    public static PrintStream stderr() {
        return new PrintStream(new FileOutputStream(FileDescriptor.err), false);
    }

    /**
     * isatty() without native code: whether the file the descriptor is open on is a terminal device.
     * ({@code System.console()} asks about stdin and stdout together.)
     */
    static boolean isTerminal(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }

    /** What {@code /proc/self/fd/N} points to ({@code pipe:[123]}, a path), or "" when unknown. */
    private static String descriptorTarget(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }
}
