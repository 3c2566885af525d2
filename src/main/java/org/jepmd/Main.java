package org.jepmd;

import org.jepmd.cli.ClientShortcut;
import org.jepmd.cli.DaemonShortcut;
import org.jepmd.cli.EpmdCommand;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Starts jepmd: the {@link EpmdCommand} with this process's environment and standard streams,
 * after {@link ClientShortcut} and {@link DaemonShortcut} have had their chance to run a plain
 * client action or daemon without loading picocli. The only place that exits the process.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        OptionalInt done = ClientShortcut.run(args, env, System.out, System.err);
        if (done.isEmpty()) {
            done = DaemonShortcut.run(args, env, System.out, System.err);
        }
        System.exit(done.isPresent() ? done.getAsInt()
                : EpmdCommand.commandLine(env, System.out, System.err).execute(args));
    }
}
