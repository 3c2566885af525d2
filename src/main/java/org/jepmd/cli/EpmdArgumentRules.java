package org.jepmd.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.util.List;

/**
 * epmd's argument rules that picocli cannot express (docs/protocol.md, Options), checked on the original arguments
 * before the command runs. epmd reads its arguments strictly left to right and runs a client
 * action the moment it reaches it, so:
 * <ul>
 *   <li>a client action ({@link EpmdOption.Role#CLIENT}: {@code -names}, {@code -kill}, {@code -dump},
 *       {@code -started}, {@code -info}) must be the last argument, and {@code -stop NAME} the last two
 *       ({@code -names -port 4370} is a usage error);</li>
 *   <li>only exact option names exist: no {@code -port=4370}, no clustered {@code -dd}, no
 *       {@code --}, no {@code @file}, no abbreviations;</li>
 *   <li>an option that takes a value takes the next argument, whatever it looks like.</li>
 * </ul>
 */
final class EpmdArgumentRules {
    private EpmdArgumentRules() {
    }

    /** @throws ParameterException when epmd would print its usage for {@code args} */
    static void check(CommandLine commandLine, List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            EpmdOption option = EpmdOption.named(arg);
            int following = args.size() - 1 - i;
            if (option == null) {
                throw new ParameterException(commandLine, "unknown argument: " + arg);
            }
            boolean clientAction = option.role() == EpmdOption.Role.CLIENT;
            if (clientAction && !option.argument().takesValue()) {
                if (following != 0) {
                    throw new ParameterException(commandLine, arg + " must be the last argument");
                }
            } else if (clientAction) {
                if (following != 1) {
                    throw new ParameterException(commandLine, arg + " NAME must be the last two arguments");
                }
                return;
            } else if (option.argument().takesValue()) {
                if (following == 0) {
                    throw new ParameterException(commandLine, arg + " needs a value",
                            commandLine.getCommandSpec().findOption(arg), null);
                }
                i++;
            }
        }
    }
}
