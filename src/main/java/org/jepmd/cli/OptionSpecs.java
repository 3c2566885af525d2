package org.jepmd.cli;

import org.jepmd.server.guard.QueryAccess;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.net.InetSocketAddress;

/** The picocli side of {@link EpmdOption}: the table as picocli options, and back to {@link OptionValues}. */
final class OptionSpecs {
    private OptionSpecs() {
    }

    /** Adds every option of the table to {@code spec}, in the table's order. */
    static void addTo(CommandSpec spec) {
        for (EpmdOption option : EpmdOption.values()) {
            OptionSpec.Builder builder = OptionSpec.builder(option.names())
                    .description(option.description())
                    .usageHelp(option.role() == EpmdOption.Role.HELP)
                    .versionHelp(option.role() == EpmdOption.Role.VERSION);
            switch (option.argument()) {
                case FLAG -> builder.type(boolean.class).arity("0");
                case COUNTED -> builder.type(boolean[].class).arity("0");
                case TEXT -> builder.type(String.class).arity("1");
                case ATOI -> valued(builder, Integer.class, new Atoi.NonZero());
                case HTTP -> valued(builder, InetSocketAddress.class, new HttpOption());
                case NETWORKS -> valued(builder, QueryAccess.class, new HardeningOptions.QueryNetworks());
                case POSITIVE -> valued(builder, Integer.class, new HardeningOptions.Positive());
                case NON_NEGATIVE -> valued(builder, Integer.class, new HardeningOptions.NonNegative());
                case IPV6_PREFIX -> valued(builder, Integer.class, new HardeningOptions.Ipv6Prefix());
                default -> throw new IllegalStateException(option.argument().name());
            }
            if (option.label() != null) {
                builder.paramLabel(option.label());
            }
            spec.addOption(builder.build());
        }
    }

    private static void valued(OptionSpec.Builder builder, Class<?> type, ITypeConverter<?> converter) {
        builder.type(type).arity("1").converters(converter);
    }

    /** The values picocli parsed into {@code spec}'s options. */
    static OptionValues values(CommandSpec spec) {
        OptionValues values = new OptionValues();
        for (EpmdOption option : EpmdOption.values()) {
            Object value = spec.findOption(option.mainName()).getValue();
            switch (option.argument()) {
                case FLAG -> values.count(option, Boolean.TRUE.equals(value) ? 1 : 0);
                case COUNTED -> values.count(option, value == null ? 0 : ((boolean[]) value).length);
                default -> values.put(option, value);
            }
        }
        return values;
    }
}
