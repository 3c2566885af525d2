package org.jepmd.cli;

import java.util.EnumMap;
import java.util.Map;

/**
 * The options one command line gave, by {@link EpmdOption}: a flag's count (1 when given once) or
 * an option's value (converted, the last one given). Filled by picocli ({@link OptionSpecs#values})
 * or by epmd's own argument loop ({@link PlainEpmdLine}); {@link EpmdCommand} runs from it.
 */
final class OptionValues {
    private final Map<EpmdOption, Object> values = new EnumMap<>(EpmdOption.class);

    /** One more occurrence of the flag {@code option}. */
    void count(EpmdOption option) {
        values.put(option, times(option) + 1);
    }

    /** Sets the flag {@code option} to {@code times} occurrences (none: absent). */
    void count(EpmdOption option, int times) {
        if (times > 0) {
            values.put(option, times);
        }
    }

    /** {@code option}'s value; a null one is no value. */
    void put(EpmdOption option, Object value) {
        if (value != null) {
            values.put(option, value);
        }
    }

    /** How many times the flag {@code option} was given. */
    int times(EpmdOption option) {
        Object times = values.get(option);
        return times == null ? 0 : (Integer) times;
    }

    boolean has(EpmdOption option) {
        return values.containsKey(option);
    }

    /** {@code option}'s value, or null when it was not given. */
    <T> T value(EpmdOption option, Class<T> type) {
        return type.cast(values.get(option));
    }

    /** The client action given (at most one: each must come last), or null for the daemon. */
    EpmdOption clientAction() {
        for (EpmdOption option : values.keySet()) {
            if (option.role() == EpmdOption.Role.CLIENT) {
                return option;
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OptionValues that && values.equals(that.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
