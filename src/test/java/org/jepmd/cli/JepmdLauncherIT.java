package org.jepmd.cli;

import org.jepmd.testing.Await;
import org.jepmd.testing.EpmdWire;
import org.jepmd.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.jepmd.cli.Exec.jepmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code scripts/jepmd} as users run it: real processes, the packaged jar, the JVM flags, CDS. */
class JepmdLauncherIT {
    private int port;
    private String p;

    @BeforeEach
    void freePort() {
        port = FreePorts.next();
        p = Integer.toString(port);
    }

    @AfterEach
    void killWhatWeStarted() {
        Exec.killDaemons(port);
    }

    private static EpmdWire.Conn register(int port, String name) {
        EpmdWire.Conn conn = EpmdWire.connect(port);
        conn.send(EpmdWire.frame(EpmdWire.alive2(name, 40000 + name.length())));
        assertEquals(0, conn.readExactly(6, 5000)[1], name + " registered");
        return conn;
    }

    @Test
    void clientActionsWithoutADaemonSayCannotConnect() {
        Exec.Result names = jepmd("-port", p, "-names");
        assertEquals(new Exec.Result(1, "", "epmd: Cannot connect to local epmd\n"), names, names.toString());
        assertEquals(new Exec.Result(1, "", ""), jepmd("-port", p, "-started"));
    }

    @Test
    void daemonReturnsOnceListeningAndASecondDaemonLeavesTheFirstAlone() {
        Exec.Result first = jepmd("-port", p, "-daemon");
        assertEquals(new Exec.Result(0, "", ""), first, first.toString());
        // listening the moment -daemon returned: no retry loop here
        try (EpmdWire.Conn node = register(port, "first")) {
            Exec.Result second = jepmd("-port", p, "-daemon");
            assertEquals(new Exec.Result(0, "", ""), second, "already running: exit 0, silently");
            Exec.Result names = jepmd("-port", p, "-names");
            assertEquals(new Exec.Result(0, "epmd: up and running on port " + p + " with data:\n"
                    + "name first at port 40005\n", ""), names, "the first daemon still serves, with its node");
            assertEquals(new Exec.Result(0, "", ""), jepmd("-port", p, "-started"));
            assertEquals(new Exec.Result(1, "Killing not allowed - living nodes in database.\n", ""),
                    jepmd("-port", p, "-kill"));
        }
        awaitNoNames();
        assertEquals(new Exec.Result(0, "Killed\n", ""), jepmd("-port", p, "-kill"));
        assertEquals(1, jepmd("-port", p, "-started").exit(), "killed");
    }

    @Test
    void daemonIsDetachedInItsOwnSessionWithWorkingDirectoryRoot() throws IOException {
        assertEquals(0, jepmd("-port", p, "-daemon").exit());
        ProcessHandle daemon = ProcessHandle.allProcesses()
                .filter(ph -> ph.info().commandLine().map(c -> c.contains("org.jepmd.Main") && c.contains("-port " + p)).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no daemon process found"));
        String stat = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertEquals(Long.toString(daemon.pid()), fields[3], "session id is its own pid (setsid)");
        assertEquals(Path.of("/"), Files.readSymbolicLink(Path.of("/proc", Long.toString(daemon.pid()), "cwd")));
        for (int fd = 0; fd <= 2; fd++) {
            assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(Path.of("/proc", Long.toString(daemon.pid()), "fd", Integer.toString(fd))));
        }
        assertEquals(new Exec.Result(0, "Killed\n", ""), jepmd("-port", p, "-kill"));
    }

    @Test
    void daemonThatCannotBindExitsNonZeroWithTheReasonOnStderr() {
        Exec.Result result = jepmd("-port", p, "-address", "10.255.255.1", "-daemon");
        assertEquals(1, result.exit(), result.toString());
        assertEquals("", result.out());
        assertEquals("epmd: failed to bind on ipaddr 10.255.255.1: Cannot assign requested address\n", result.err());
        Exec.Result hostname = jepmd("-port", p, "-address", "localhost", "-daemon");
        assertEquals(new Exec.Result(1, "", "epmd: cannot parse IP address \"localhost\"\n"), hostname);
    }

    @Test
    void foregroundFailureIsLoggedInEpmdsFormat() {
        Exec.Result result = jepmd("-port", p, "-address", "localhost");
        assertEquals(1, result.exit(), result.toString());
        assertTrue(result.err().matches("epmd: \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}: "
                + "cannot parse IP address \"localhost\"\r\n"), result.err());
    }

    @Test
    void stopNeedsTheRelaxedCommandCheckFromFlagOrEnvironment() {
        assertEquals(0, jepmd("-port", p, "-daemon").exit());
        try (EpmdWire.Conn node = register(port, "victim")) {
            assertEquals(new Exec.Result(1, "epmd: local epmd responded with <>\n", ""), jepmd("-port", p, "-stop", "victim"));
        }
        awaitNoNames();
        assertEquals(new Exec.Result(0, "Killed\n", ""), jepmd("-port", p, "-kill"));

        Map<String, String> relaxed = Map.of("ERL_EPMD_RELAXED_COMMAND_CHECK", "", "ERL_EPMD_PORT", p);
        assertEquals(0, jepmd(relaxed, "-daemon").exit());
        try (EpmdWire.Conn node = register(port, "victim")) {
            assertEquals(new Exec.Result(0, "STOPPED\n", ""), jepmd(Map.of("ERL_EPMD_PORT", p), "-stop", "victim"));
            assertEquals(new Exec.Result(0, "NOEXIST\n", ""), jepmd(Map.of("ERL_EPMD_PORT", p), "-stop", "victim"));
            try (EpmdWire.Conn live = register(port, "live")) {
                assertEquals(new Exec.Result(0, "Killed\n", ""), jepmd("-port", p, "-kill"), "relaxed: killed with live nodes");
            }
        }
    }

    @Test
    void debugFlagsRaiseTheLogLevelOfAForegroundDaemon(@TempDir Path dir) throws InterruptedException {
        String quiet = foregroundLogUntilKilled(dir.resolve("quiet.log"));
        assertTrue(quiet.contains(": got KILL_REQ - terminates normal\r\n"), quiet);
        assertFalse(quiet.contains("** got KILL_REQ"), quiet);

        String debug = foregroundLogUntilKilled(dir.resolve("debug.log"), "-d");
        assertTrue(debug.contains(": ** got KILL_REQ\r\n"), debug);
        assertFalse(debug.contains("***** 00000000"), "hex dumps need -d -d: " + debug);

        String debug2 = foregroundLogUntilKilled(dir.resolve("debug2.log"), "-d", "-debug");
        assertTrue(debug2.contains("***** 00000000"), debug2);
    }

    private String foregroundLogUntilKilled(Path log, String... debug) throws InterruptedException {
        String[] args = new String[debug.length + 4];
        System.arraycopy(debug, 0, args, 0, debug.length);
        System.arraycopy(new String[] {"-port", p, "-address", "127.0.0.1"}, 0, args, debug.length, 4);
        Process daemon = Exec.start(Map.of(), log, args);
        try {
            Await.holdsWithin(Duration.ofSeconds(15), () -> {
                assertTrue(daemon.isAlive(), Exec.read(log));
                return jepmd("-port", p, "-started").exit() == 0;
            });
            assertEquals(new Exec.Result(0, "Killed\n", ""), jepmd("-port", p, "-kill"));
            assertTrue(daemon.waitFor(10, TimeUnit.SECONDS), "stops after -kill");
            assertEquals(0, daemon.exitValue());
            return Exec.read(log);
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void usageErrorsPrintEpmdsUsage() {
        assertEquals(new Exec.Result(1, "", Usage.epmdUsage()), jepmd("-names", "-port", p));
        assertEquals(new Exec.Result(1, "", Usage.epmdUsage()), jepmd("-port", "0"));
        assertEquals(new Exec.Result(1, "", Usage.epmdUsage()), jepmd("-port", p, "-stop"));
    }

    @Test
    void worksWhenSymlinkedAsEpmd(@TempDir Path dir) throws IOException {
        Path epmd = Files.createSymbolicLink(dir.resolve("epmd"), Exec.JEPMD);
        Path twice = Files.createSymbolicLink(dir.resolve("epmd2"), epmd);
        try {
            Exec.Result result = Exec.run(twice.toString(), Exec.env(Map.of("ERL_EPMD_PORT", p)), "-names");
            assertEquals(new Exec.Result(1, "", "epmd: Cannot connect to local epmd\n"), result, result.toString());
            assertTrue(Exec.run(twice.toString(), Exec.env(Map.of()), "-version").out().startsWith("jepmd "));
        } finally {
            Files.delete(twice);
            Files.delete(epmd);
        }
    }

    @Test
    void runsOnJava25Too() {
        Path jdk25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        Assumptions.assumeTrue(Files.isExecutable(jdk25.resolve("bin/java")), "no JDK 25 at " + jdk25);
        Map<String, String> java25 = Map.of("JAVA_HOME", jdk25.toString());
        assertEquals(new Exec.Result(0, "", ""), jepmd(java25, "-port", p, "-daemon"));
        assertEquals(new Exec.Result(0, "epmd: up and running on port " + p + " with data:\n", ""), jepmd(java25, "-port", p, "-names"));
        assertEquals(new Exec.Result(0, "Killed\n", ""), jepmd(java25, "-port", p, "-kill"));
    }

    @Test
    void jvmOptionsFromTheEnvironmentAreSplitButNeverGlobbed(@TempDir Path dir) throws IOException {
        RecordingJava java = RecordingJava.in(dir.resolve("jdk"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.createFile(work.resolve("-Dpwned=1"));
        Map<String, String> env = Exec.env(java.env(Map.of("JAVA_OPTS", "-D* -Dwords=two", "JEPMD_OPTS", " -D?pwned=1\t-Dlast=[-]D* ")));
        Exec.Result version = Exec.runIn(work, Exec.JEPMD.toString(), env, "-version");
        assertTrue(version.out().startsWith("jepmd "), version.toString());
        List<String> command = java.lastMainCall();
        int first = command.indexOf("-D*");
        assertTrue(first > 0, command.toString());
        assertEquals(List.of("-D*", "-Dwords=two", "-D?pwned=1", "-Dlast=[-]D*"), command.subList(first, first + 4));
        assertFalse(command.contains("-Dpwned=1"), command.toString());
    }

    @Test
    void clientStdoutIsEpmdsWhateverTheJvmOptionsAsk() {
        assertEquals(0, jepmd("-port", p, "-daemon").exit());
        try (EpmdWire.Conn node = register(port, "opts")) {
            String names = "epmd: up and running on port " + p + " with data:\nname opts at port 40004\n";
            for (Map<String, String> logging : List.of(Map.of("JAVA_OPTS", "-Xlog:gc"),
                    Map.of("JEPMD_OPTS", "-Xlog:all=info:stdout -verbose:class"),
                    Map.of("_JAVA_OPTIONS", "-Xlog:gc*=debug"),
                    Map.of("JAVA_TOOL_OPTIONS", "-Xlog:gc"))) {
                Exec.Result result = jepmd(logging, "-port", p, "-names");
                assertEquals(0, result.exit(), logging + "\n" + result);
                assertEquals(names, result.out(), logging + "\n" + result);
            }
            Map<String, String> gc = Map.of("JAVA_OPTS", "-Xlog:gc");
            assertEquals(new Exec.Result(0, names, ""), jepmd(gc, "-port", p, "-names"), "nothing on stderr either");
            assertEquals(new Exec.Result(0, "", ""), jepmd(gc, "-port", p, "-started"));
            assertEquals(new Exec.Result(1, "Killing not allowed - living nodes in database.\n", ""), jepmd(gc, "-port", p, "-kill"));
            Exec.Result flags = jepmd(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "-port", p, "-started");
            assertEquals(0, flags.exit(), flags.toString());
            assertEquals("", flags.out(), "the JVM's own output goes to stderr: " + flags);
            assertTrue(jepmd(gc, "-version").out().matches("jepmd [^\n]*\n"));
        }
    }

    @Test
    void clientStdoutIsEpmdsOnJava25Too() {
        Path jdk25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        Assumptions.assumeTrue(Files.isExecutable(jdk25.resolve("bin/java")), "no JDK 25 at " + jdk25);
        assertEquals(0, jepmd("-port", p, "-daemon").exit());
        Map<String, String> java25 = Map.of("JAVA_HOME", jdk25.toString(), "JAVA_OPTS", "-Xlog:gc -Xlog:startuptime");
        assertEquals(new Exec.Result(0, "epmd: up and running on port " + p + " with data:\n", ""), jepmd(java25, "-port", p, "-names"));
    }

    /** Waits (bounded) until a closed registration has been noticed by the daemon. */
    private void awaitNoNames() {
        String empty = "epmd: up and running on port " + p + " with data:\n";
        if (!Await.holdsWithin(Duration.ofSeconds(2), () -> EpmdWire.request(port, EpmdWire.names()).length == 4)) {
            assertEquals(empty, jepmd("-port", p, "-names").out(), "names still registered");
        }
    }
}
