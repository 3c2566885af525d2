package org.jepmd.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** A child process of a test whose stdout and stderr go to a log file. */
public abstract class LoggedProcess implements AutoCloseable {
    private final Process process;
    private final File log;

    protected LoggedProcess(Process process, File log) {
        this.process = process;
        this.log = log;
    }

    /** The process. */
    public Process process() {
        return process;
    }

    /** What it has written to stdout and stderr so far. */
    public String output() {
        try {
            return Files.readString(log.toPath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for it to exit; false if it is still running after {@code seconds}. */
    public boolean awaitExit(long seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code kill -9} and wait (up to 10 s) for it to be gone. */
    public void kill9() {
        process.destroyForcibly();
        awaitExit(10);
    }
}
