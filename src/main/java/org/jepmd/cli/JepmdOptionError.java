package org.jepmd.cli;

import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.util.Optional;

/**
 * The one-line message for a bad value of one of jepmd's own options ({@code -http},
 * {@code -allow_query}, the connection caps): {@code jepmd: <option> "<value>": <what is expected>}.
 * epmd's usage text does not list these options, so it would not help; epmd's own options keep
 * epmd's usage text.
 */
final class JepmdOptionError {
    private JepmdOptionError() {
    }

    /** The line for {@code error}, or empty when it concerns no jepmd option (epmd's usage then). */
    static Optional<String> of(ParameterException error) {
        ArgSpec arg = error.getArgSpec();
        if (arg == null && error instanceof MissingParameterException missing && !missing.getMissing().isEmpty()) {
            arg = missing.getMissing().get(0);
        }
        if (!(arg instanceof OptionSpec option) || EpmdOption.named(option.longestName()).isEpmds()) {
            return Optional.empty();
        }
        String name = option.longestName();
        String value = error.getValue();
        if (value == null) {
            return Optional.of("jepmd: " + name + " needs a value (" + option.paramLabel() + ")");
        }
        return Optional.of("jepmd: " + name + " \"" + value + "\": " + reason(error));
    }

    /** The converter's own words (picocli wraps them in "Invalid value for option ..."). */
    private static String reason(ParameterException error) {
        Throwable cause = error.getCause();
        String text = cause != null && cause.getMessage() != null ? cause.getMessage() : error.getMessage();
        return text.replace('\n', ' ');
    }
}
