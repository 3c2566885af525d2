package org.jepmd.interop;

import org.jepmd.protocol.NodeName;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.testing.Await;
import org.jepmd.testing.Requirements;
import org.jepmd.testing.RunningJepmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Erlang/OTP nodes ({@code erl -sname}) use an in-process jepmd as their port mapper: they
 * register (with the 6-byte ALIVE2_X_RESP), find each other through PORT_PLEASE2, list each other
 * through NAMES, and a killed node disappears from the registry (docs/protocol.md, What a real node expects).
 */
@Timeout(120)
class OtpNodeInteropTest {
    private static final long WAIT_SECONDS = 30;

    private final String suffix = Integer.toString(new Random().nextInt(1_000_000));
    private final String cookie = "jepmd_cookie_" + suffix;
    private final List<Process> nodes = new ArrayList<>();
    private final List<File> logs = new ArrayList<>();
    private String erl;
    private RunningJepmd jepmd;

    @BeforeEach
    void startJepmd() {
        erl = Requirements.erl();
        jepmd = RunningJepmd.start();
    }

    @AfterEach
    void stopEverything() {
        for (Process node : nodes) {
            node.destroyForcibly();
        }
        for (Process node : nodes) {
            try {
                node.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (jepmd != null) {
            jepmd.close();
        }
        logs.forEach(File::delete);
    }

    /** Starts {@code erl -sname <name>} against jepmd's port; never lets it start a system epmd. */
    private Process erl(String name, String... extra) {
        List<String> command = new ArrayList<>(List.of(erl, "-sname", name, "-noshell", "-start_epmd", "false",
                "-epmd_port", Integer.toString(jepmd.port()), "-setcookie", cookie));
        command.addAll(List.of(extra));
        try {
            File log = File.createTempFile("erl-" + name + "-", ".log");
            logs.add(log);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
            builder.environment().put("ERL_EPMD_PORT", Integer.toString(jepmd.port()));
            builder.environment().remove("ERL_EPMD_ADDRESS");
            Process process = builder.start();
            nodes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String output(Process process) {
        File log = logs.get(nodes.indexOf(process));
        try {
            return Files.readString(log.toPath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RegisteredNode registered(String name) {
        return jepmd.server().registry().lookup(NodeName.of(name));
    }

    private static void await(String what, Await.Condition condition) {
        Await.until(Duration.ofSeconds(WAIT_SECONDS), condition, () -> what);
    }

    @Test
    void twoNodesRegisterSeeEachOtherPingEachOtherAndAKilledNodeIsUnregistered() throws Exception {
        String a = "a_" + suffix;
        String b = "b_" + suffix;
        Process nodeA = erl(a);
        Process nodeB = erl(b);
        await(a + " and " + b + " registered with jepmd", () -> registered(a) != null && registered(b) != null);
        RegisteredNode infoA = registered(a);
        assertEquals(77, infoA.info().nodeType(), "a normal node");
        assertEquals(6, infoA.info().highestVersion(), "a modern node asks for ALIVE2_X_RESP");
        assertTrue(infoA.info().port() > 0, "its distribution port");

        // a third, short-lived node asks jepmd for the names and makes a and b ping each other
        String probe = "q_" + suffix;
        String script = String.join(" ",
                "[_, Host] = string:split(atom_to_list(node()), \"@\"),",
                "A = list_to_atom(\"" + a + "@\" ++ Host),",
                "B = list_to_atom(\"" + b + "@\" ++ Host),",
                "{ok, Names} = erl_epmd:names(),",
                "io:format(\"names ~p~n\", [lists:sort([N || {N, _} <- Names])]),",
                "io:format(\"probe_pings_a ~p~n\", [net_adm:ping(A)]),",
                "io:format(\"a_pings_b ~p~n\", [rpc:call(A, net_adm, ping, [B])]),",
                "io:format(\"b_pings_a ~p~n\", [rpc:call(B, net_adm, ping, [A])]),",
                "io:format(\"a_port ~p~n\", [element(2, erl_epmd:port_please(\"" + a + "\", \"127.0.0.1\"))]),",
                "halt().");
        Process q = erl(probe, "-eval", script);
        assertTrue(q.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "probe node finished");
        String out = output(q);
        assertTrue(out.contains("names " + "[\"" + a + "\",\"" + b + "\",\"" + probe + "\"]"), out);
        assertTrue(out.contains("probe_pings_a pong"), out);
        assertTrue(out.contains("a_pings_b pong"), out);
        assertTrue(out.contains("b_pings_a pong"), out);
        assertTrue(out.contains("a_port " + infoA.info().port()), out);
        await(probe + " unregistered after it halted", () -> registered(probe) == null);

        nodeA.destroyForcibly();
        assertTrue(nodeA.waitFor(10, TimeUnit.SECONDS));
        await(a + " unregistered after its process was killed", () -> registered(a) == null);
        assertNotNull(registered(b), b + " stays registered");
        assertTrue(nodeB.isAlive());
    }

    @Test
    void aNodeIsRefusedANameThatALiveNodeHolds() throws Exception {
        String a = "dup_" + suffix;
        erl(a);
        await(a + " registered", () -> registered(a) != null);
        long creation = registered(a).creation();
        Process second = erl(a);
        assertTrue(second.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the second node gives up");
        // erl_epmd turns the refusal (result 1) into duplicate_name, which net_kernel reports so
        assertTrue(output(second).contains("seems to be in use by another Erlang node"), output(second));
        assertEquals(creation, registered(a).creation(), "the first node is untouched");
    }
}
