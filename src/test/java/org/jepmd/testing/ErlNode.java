package org.jepmd.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A real Erlang/OTP node ({@code erl -noshell}) pointed at a daemon with {@code -epmd_port P
 * -start_epmd false}. Skips (or fails under CI) without {@code erl}. {@link #close()} kills it.
 */
public final class ErlNode extends LoggedProcess {

    private ErlNode(List<String> command) {
        super("erl-", command);
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
        return new ErlNode(command);
    }
}
