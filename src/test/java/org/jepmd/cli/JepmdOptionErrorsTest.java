package org.jepmd.cli;

import org.jepmd.server.guard.ConnectionLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bad value for one of jepmd's own options is one line on stderr that names the option, the value
 * and what is expected (epmd's usage, which does not list them, is for epmd's own options only).
 */
class JepmdOptionErrorsTest {

    private static EpmdCommandTest.Run run(String... args) {
        return EpmdCommandTest.run(Map.of(), args);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "-http|19436|expected ADDRESS:PORT, e.g. 127.0.0.1:9436",
        "-http|::1:14621|write an IPv6 address in brackets: [::1]:14621",
        "-http|127.0.0.1:99999|the port must be a number from 0 to 65535",
        "-http|127.0.0.1:http|the port must be a number from 0 to 65535",
        "-http|example.org:9436|not a numeric IP address",
        "-allow_query|10.0.0.0/33|prefix /33 out of range",
        "-allow_query|example.org|expected IP networks separated by commas",
        "-max_connections|abc|expected a whole number of at least 1",
        "-max_connections|0|expected a whole number of at least 1",
        "-max_connections_per_peer|x|expected a whole number of at least 1",
        "-loopback_reserve|-1|expected a whole number of at least 0",
    })
    void aBadValueIsOneLineNamingTheOptionTheValueAndWhatIsExpected(String option, String value, String expected) {
        EpmdCommandTest.Run run = run(option, value);
        assertEquals(1, run.exit());
        assertEquals("", run.out());
        String prefix = "jepmd: " + option + " \"" + value + "\": ";
        assertTrue(run.err().startsWith(prefix) && run.err().contains(expected), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().endsWith("\n"), run.err());
    }

    @Test
    void aMissingValueSaysSoInOneLine() {
        EpmdCommandTest.Run run = run("-http");
        assertEquals(1, run.exit());
        assertTrue(run.err().startsWith("jepmd: -http needs a value"), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
    }

    @Test
    void epmdsOwnOptionsKeepEpmdsUsage() {
        EpmdCommandTest.Run run = run("-port", "abc");
        assertEquals(new EpmdCommandTest.Run(1, "", Usage.epmdUsage()), run);
        assertEquals(new EpmdCommandTest.Run(1, "", Usage.epmdUsage()), run("-http", "127.0.0.1:9436", "-bogus"));
    }

    @Test
    void localhostIsTheIpv4LoopbackAndBracketedIpv6IsAccepted() {
        assertEquals(new InetSocketAddress("127.0.0.1", 19436), http("localhost:19436"));
        assertEquals(new InetSocketAddress("::1", 14621), http("[::1]:14621"));
        assertEquals(new InetSocketAddress("127.0.0.1", 9436), http("127.0.0.1:9436"));
        assertTrue(http(":9436").getAddress().isAnyLocalAddress());
    }

    @Test
    void theLoopbackReserveComesOnTopOfALowCap() {
        assertEquals(new ConnectionLimits(3 + 16, 1000, 16), limits("-max_connections", "3"));
        assertEquals(3, limits("-max_connections", "3").remoteShare(), "remote peers still get at most 3");
        assertEquals(new ConnectionLimits(12, 1000, 2), limits("-max_connections", "10", "-loopback_reserve", "2"));
        assertEquals(new ConnectionLimits(10, 1000, 0), limits("-max_connections", "10", "-loopback_reserve", "0"));
        assertEquals(ConnectionLimits.forThisProcess(), limits(), "the defaults are unchanged");
    }

    private static InetSocketAddress http(String value) {
        return command("-http", value).http();
    }

    private static ConnectionLimits limits(String... args) {
        return command(args).serverConfig().build().connectionLimits();
    }

    private static EpmdCommand command(String... args) {
        PrintStream nowhere = new PrintStream(ByteArrayOutputStream.nullOutputStream());
        CommandLine commandLine = EpmdCommand.commandLine(Map.of(), nowhere, nowhere);
        commandLine.parseArgs(args);
        return commandLine.getCommand();
    }
}
