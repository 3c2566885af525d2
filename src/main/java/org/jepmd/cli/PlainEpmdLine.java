package org.jepmd.cli;

/**
 * epmd's own argument loop ({@code epmd.c}, docs/protocol.md, Options) over epmd's own options, without
 * picocli: what {@link ClientShortcut} and {@link DaemonShortcut} run. Building the picocli model costs
 * more than a whole client exchange.
 *
 * <p>It reads only argument lists that epmd accepts and that hold none of jepmd's own options; for
 * anything else it gives null and {@link EpmdCommand} decides (usage errors, help, jepmd's options).
 */
final class PlainEpmdLine {
    private PlainEpmdLine() {
    }

    /** The options of {@code args}, as picocli would read them, or null when picocli must decide. */
    static OptionValues parse(String[] args) {
        OptionValues values = new OptionValues();
        for (int i = 0; i < args.length; i++) {
            EpmdOption option = EpmdOption.named(args[i]);
            if (option == null || !option.isEpmds()) {
                return null;
            }
            if (!option.argument().takesValue()) {
                values.count(option);
            } else if (i + 1 == args.length) {
                return null; // a usage error: EpmdCommand prints the usage
            } else if (option.argument() == EpmdOption.Argument.ATOI) {
                int value = Atoi.parse(args[++i]);
                if (value == 0) {
                    return null;
                }
                values.put(option, value);
            } else {
                values.put(option, args[++i]); // any next argument, as epmd reads it
            }
            if (option.role() == EpmdOption.Role.CLIENT && i + 1 != args.length) {
                return null; // a client action that is not last
            }
        }
        return values;
    }
}
