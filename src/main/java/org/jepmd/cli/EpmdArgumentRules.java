package org.jepmd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * epmd's argument rules that picocli cannot express (docs/protocol.md, Options), checked on the original arguments
 * before the command runs. epmd reads its arguments strictly left to right and runs a client
 * action the moment it reaches it, so:
 * <ul>
 *   <li>{@code -names}, {@code -kill}, {@code -dump} and {@code -started} must be the last argument,
 *       and {@code -stop NAME} the last two ({@code -names -port 4370} is a usage error);</li>
 *   <li>only exact option names exist: no {@code -port=4370}, no clustered {@code -dd}, no
 *       {@code --}, no {@code @file}, no abbreviations;</li>
 *   <li>an option that takes a value takes the next argument, whatever it looks like.</li>
 * </ul>
 */
final class EpmdArgumentRules {
    /** Client actions that must be the last argument. */
    static final Set<String> LAST_ARGUMENT_ACTIONS = Set.of("-names", "-kill", "-dump", "-started", "-info");
    /** The client action that must be followed by exactly one argument. */
    static final String STOP = "-stop";

    private EpmdArgumentRules() {
    }

    /** @throws ParameterException when epmd would print its usage for {@code args} */
    static void check(CommandLine commandLine, List<String> args) {
        Map<String, OptionSpec> options = optionsByName(commandLine.getCommandSpec());
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            OptionSpec option = options.get(arg);
            int following = args.size() - 1 - i;
            if (option == null) {
                throw new ParameterException(commandLine, "unknown argument: " + arg);
            }
            if (LAST_ARGUMENT_ACTIONS.contains(arg)) {
                if (following != 0) {
                    throw new ParameterException(commandLine, arg + " must be the last argument");
                }
            } else if (STOP.equals(arg)) {
                if (following != 1) {
                    throw new ParameterException(commandLine, "-stop NAME must be the last two arguments");
                }
                return;
            } else if (option.arity().max() > 0) {
                if (following == 0) {
                    throw new ParameterException(commandLine, arg + " needs a value", option, null);
                }
                i++;
            }
        }
    }

    private static Map<String, OptionSpec> optionsByName(CommandSpec spec) {
        Map<String, OptionSpec> byName = new HashMap<>();
        for (OptionSpec option : spec.options()) {
            for (String name : option.names()) {
                byName.put(name, option);
            }
        }
        return byName;
    }
}
