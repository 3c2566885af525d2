package org.jepmd;

import org.jepmd.cli.ClientShortcut;
import org.jepmd.cli.DaemonShortcut;
import org.jepmd.cli.EpmdCommand;
import org.jepmd.stdio.CStdio;

import java.io.PrintStream;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Starts jepmd: the {@link EpmdCommand} with this process's environment and standard streams,
 * after {@link ClientShortcut} and {@link DaemonShortcut} have had their chance to run a plain
 * client action or daemon without loading picocli. The only place that exits the process.
 *
 * <p>The streams are buffered as epmd's C stdio buffers them ({@link CStdio}), and stdout is
 * flushed at exit as C's {@code exit()} flushes it.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        PrintStream out = CStdio.stdout();
        PrintStream err = CStdio.stderr();
        int status;
        try {
            OptionalInt done = ClientShortcut.run(args, env, out, err);
            if (done.isEmpty()) {
                done = DaemonShortcut.run(args, env, out, err);
            }
            status = done.isPresent() ? done.getAsInt() : EpmdCommand.commandLine(env, out, err).execute(args);
        } finally {
            out.flush();
        }
        System.exit(status);
    }
}
