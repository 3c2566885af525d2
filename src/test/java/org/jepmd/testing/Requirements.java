package org.jepmd.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.util.Optional;

/**
 * Gates tests on outside programs (real Erlang/OTP, systemd tools). Outside CI a missing program
 * skips the test with a visible reason; with {@code CI=true} it fails it, so CI cannot go green
 * without running them.
 */
public final class Requirements {
    private Requirements() {
    }

    /** True when running under CI ({@code CI=true}). */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The absolute path of {@code program} on PATH, if any. */
    public static Optional<String> which(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            File candidate = new File(dir, program);
            if (candidate.isFile() && candidate.canExecute()) {
                return Optional.of(candidate.getAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** The path of {@code program}; skips (or, in CI, fails) the test when it is missing. */
    public static String require(String program, String why) {
        Optional<String> found = which(program);
        if (found.isEmpty()) {
            unavailable(program + " not found on PATH (" + why + ")");
        }
        return found.get();
    }

    /** The real {@code erl}; skips (or fails in CI) without Erlang/OTP ({@code apt-get install erlang-base}). */
    public static String erl() {
        return require("erl", "install erlang-base");
    }

    /** The reference {@code epmd} binary; skips (or fails in CI) without it. */
    public static String epmd() {
        return require("epmd", "install erlang-base");
    }

    /** Skips the test with {@code reason}, or fails it under CI. */
    public static void unavailable(String reason) {
        if (inCi()) {
            Assertions.fail("required under CI=true: " + reason);
        }
        Assumptions.abort(reason);
    }
}
