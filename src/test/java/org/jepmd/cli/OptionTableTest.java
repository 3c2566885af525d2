package org.jepmd.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each consumer of {@link EpmdOption} reads every entry as the table says: picocli (names, arity,
 * label, description), epmd's argument rules, the picocli-free line reader and {@code --help}.
 * (LauncherCaseTest checks the launcher's view.)
 */
class OptionTableTest {
    private static final PrintStream NOWHERE = new PrintStream(ByteArrayOutputStream.nullOutputStream());

    /** A value each kind of option accepts. */
    private static String sample(EpmdOption.Argument argument) {
        return switch (argument) {
            case FLAG, COUNTED -> null;
            case TEXT -> "some_text";
            case ATOI -> "4371";
            case HTTP -> "127.0.0.1:9436";
            case NETWORKS -> "10.0.0.0/8";
            case POSITIVE -> "3";
            case NON_NEGATIVE -> "0";
            case IPV6_PREFIX -> "48";
        };
    }

    /** The option named {@code name} with a sample value, if it takes one. */
    private static List<String> given(EpmdOption option, String name) {
        List<String> args = new ArrayList<>(List.of(name));
        if (option.argument().takesValue()) {
            args.add(sample(option.argument()));
        }
        return args;
    }

    private static CommandLine picocli() {
        return EpmdCommand.commandLine(Map.of(), NOWHERE, NOWHERE);
    }

    @Test
    void picocliHasExactlyTheTablesOptions() {
        Set<String> table = new TreeSet<>();
        for (EpmdOption option : EpmdOption.values()) {
            table.addAll(List.of(option.names()));
        }
        Set<String> picocli = new TreeSet<>();
        for (OptionSpec option : picocli().getCommandSpec().options()) {
            picocli.addAll(List.of(option.names()));
        }
        assertEquals(table, picocli);
    }

    @ParameterizedTest
    @EnumSource(EpmdOption.class)
    void picocliTakesTheOptionAsTheTableSays(EpmdOption option) {
        for (String name : option.names()) {
            OptionSpec spec = picocli().getCommandSpec().findOption(name);
            assertNotNull(spec, name);
            int arity = option.argument().takesValue() ? 1 : 0;
            assertEquals(arity, spec.arity().min(), name);
            assertEquals(arity, spec.arity().max(), name);
            assertEquals(List.of(option.names()), List.of(spec.names()), name);
            assertEquals(List.of(option.description()), List.of(spec.description()), name);
            assertEquals(option.role() == EpmdOption.Role.HELP, spec.usageHelp(), name);
            assertEquals(option.role() == EpmdOption.Role.VERSION, spec.versionHelp(), name);
            if (option.label() != null) {
                assertEquals(option.label(), spec.paramLabel(), name);
            }
            if (option.role() == EpmdOption.Role.HELP || option.role() == EpmdOption.Role.VERSION) {
                continue;
            }
            CommandLine commandLine = picocli();
            List<String> args = given(option, name);
            commandLine.parseArgs(args.toArray(String[]::new));
            EpmdArgumentRules.check(commandLine, args);
            assertTrue(OptionSpecs.values(commandLine.getCommandSpec()).has(option), args.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(EpmdOption.class)
    void theArgumentRulesKeepClientActionsLastAndValuesPresent(EpmdOption option) {
        String name = option.mainName();
        List<String> args = given(option, name);
        args.add("-d");
        boolean usageError = option.role() == EpmdOption.Role.CLIENT;
        assertEquals(usageError ? 1 : 0, exitOfRules(args), args.toString());
        if (option.argument().takesValue()) {
            assertEquals(1, exitOfRules(List.of(name)), name + " without its value");
        }
    }

    private static int exitOfRules(List<String> args) {
        CommandLine commandLine = picocli();
        try {
            commandLine.parseArgs(args.toArray(String[]::new));
            EpmdArgumentRules.check(commandLine, args);
            return 0;
        } catch (CommandLine.ParameterException e) {
            return 1;
        }
    }

    @ParameterizedTest
    @EnumSource(EpmdOption.class)
    void theLineReaderReadsEpmdsOptionsAsPicocliAndLeavesJepmdsToIt(EpmdOption option) {
        for (String name : option.names()) {
            List<String> args = given(option, name);
            if (option.role() != EpmdOption.Role.CLIENT) {
                args.add("-names"); // a value-taking client action would come last: -names will do
            }
            String[] line = args.toArray(String[]::new);
            OptionValues plain = PlainEpmdLine.parse(line);
            if (!option.isEpmds()) {
                assertNull(plain, args.toString());
                continue;
            }
            CommandLine commandLine = picocli();
            commandLine.parseArgs(line);
            assertEquals(OptionSpecs.values(commandLine.getCommandSpec()), plain, args.toString());
            assertTrue(plain.has(option), args.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(EpmdOption.class)
    void theUsageTextsListTheOptionWhereItsOriginSays(EpmdOption option) {
        String epmdUsage = Usage.epmdUsage();
        String help = Usage.help().substring(epmdUsage.length());
        String unlisted = help.substring(0, help.indexOf("\njepmd options\n"));
        String jepmds = help.substring(help.indexOf("\njepmd options\n"), help.indexOf("\nEnvironment\n"));
        String entry = "    " + String.join(", ", option.names())
                + (option.argument().takesValue() ? " " + option.label() : "") + "\n";
        switch (option.origin()) {
            case EPMD -> {
                for (String name : option.names()) {
                    assertTrue(epmdUsage.contains(name + (option.argument().takesValue() ? " " : "")), name);
                }
                assertFalse(help.contains(entry), option.mainName());
            }
            case EPMD_UNLISTED -> {
                assertFalse(epmdUsage.contains(option.mainName()), option.mainName());
                assertTrue(unlisted.contains(entry), entry);
            }
            case JEPMD -> assertTrue(jepmds.contains(entry), entry);
        }
    }
}
