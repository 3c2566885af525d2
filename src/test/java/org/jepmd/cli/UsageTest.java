package org.jepmd.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** epmd's usage text printed as epmd's usage() prints it (StdioWritesIT compares with epmd itself). */
class UsageTest {
    @Test
    void theUsageIsPrintedOneFprintfAtATime() {
        List<String> writes = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(new String(b, off, len, StandardCharsets.US_ASCII));
                all.write(b, off, len);
            }
        }, false);
        Usage.printEpmdUsage(err);
        assertEquals(Usage.epmdUsage(), all.toString(StandardCharsets.US_ASCII));
        assertEquals(Usage.epmdUsageWrites(), writes);
        // as Debian's epmd writes them: 50 fprintf()s, empty lines with the line before or the heading after
        assertEquals(50, writes.size());
        assertEquals("       epmd [-d|-debug] [-port No] [-names|-kill|-stop name]\n\n", writes.get(2));
        int dbgExtra = writes.indexOf("\nDbgExtra options\n");
        assertEquals("        connection (default 60).\n\n", writes.get(dbgExtra + 4));
    }
}
