package org.jepmd.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --help}: epmd's usage, then epmd's options its usage leaves out, then jepmd's own, in lines of 80. */
class HelpTextTest {

    @Test
    void listsDumpStartedAndEveryJepmdOptionWithinEightyColumns() {
        EpmdCommandTest.Run run = EpmdCommandTest.run(Map.of(), "--help");
        assertEquals(0, run.exit());
        String added = run.out().substring(Usage.epmdUsage().length());
        assertTrue(added.startsWith("\nepmd options its usage text leaves out\n    -dump\n"), added);
        for (String option : new String[] {"    -started\n", "    -info\n", "    -http Address:Port\n",
                "    -allow_query CIDR,...\n", "    -max_connections N\n", "    -loopback_reserve N\n"}) {
            assertTrue(added.contains(option), option + " missing from:\n" + added);
        }
        added.lines().forEach(line -> assertTrue(line.length() <= 80, "longer than 80: " + line));
    }
}
