package org.jepmd.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Erlang/OTP node ({@code erl -noshell}) pointed at a daemon with {@code -epmd_port P
 * -start_epmd false}. Skips (or fails under CI) without {@code erl}. {@link #close()} kills it.
 */
public final class ErlNode extends LoggedProcess {

    private ErlNode(Process process, File log) {
        super(process, log);
    }

    /** A distributed node {@code -sname name} that idles until killed. */
    public static ErlNode sname(String name, int epmdPort) {
        return start(epmdPort, "-sname", name, "-setcookie", "jepmdtest", "-eval", "receive after infinity -> ok end");
    }

    /** {@code erl -noshell -start_epmd false -epmd_port P args...}. */
    public static ErlNode start(int epmdPort, String... args) {
        List<String> command = new ArrayList<>(List.of(Requirements.erl(), "-noshell", "-start_epmd", "false",
                "-epmd_port", Integer.toString(epmdPort)));
        command.addAll(List.of(args));
        try {
            File log = File.createTempFile("erl-", ".log");
            log.deleteOnExit();
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
            builder.environment().remove("ERL_EPMD_PORT");
            builder.environment().remove("ERL_EPMD_ADDRESS");
            return new ErlNode(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        kill9();
    }
}
