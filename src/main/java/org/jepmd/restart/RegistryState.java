package org.jepmd.restart;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.UnusedNode;
import org.jepmd.server.Handover;

import java.util.ArrayList;
import java.util.List;

/**
 * What a daemon hands to the one that replaces it besides descriptors: its command line, its live
 * registrations (oldest first, in the order their connections' descriptors follow) and its unused
 * names (oldest first). Written and read by {@link StateCodec}.
 *
 * @param pid        the old daemon's process id, for the log
 * @param arguments  the old daemon's command line
 * @param live       live registrations, oldest first
 * @param unused     the unused-name list, oldest first
 * @param refused    how many connections kept after a refused ALIVE2 follow the registrations' descriptors
 */
public record RegistryState(long pid, List<String> arguments, List<LiveNode> live, List<UnusedNode> unused,
                            int refused) {

    public RegistryState {
        arguments = List.copyOf(arguments);
        live = List.copyOf(live);
        unused = List.copyOf(unused);
    }

    /** A state with no refused-but-kept connection (as format 1 has none). */
    public RegistryState(long pid, List<String> arguments, List<LiveNode> live, List<UnusedNode> unused) {
        this(pid, arguments, live, unused, 0);
    }

    /** The state of a paused daemon (this process) that runs with {@code arguments}. */
    static RegistryState of(List<String> arguments, Handover.Paused paused) {
        List<LiveNode> live = new ArrayList<>();
        for (RegisteredNode node : paused.live()) {
            live.add(new LiveNode(node.info(), node.creation(), node.registeredAt()));
        }
        return new RegistryState(ProcessHandle.current().pid(), arguments, live, paused.unused(),
                paused.refusedFds().size());
    }

    /**
     * One live registration without its connection (which travels as a descriptor and knows its
     * peer).
     *
     * @param info          the ALIVE2 fields
     * @param creation      the 32-bit creation counter it was given
     * @param registeredAt  wall-clock milliseconds of the registration
     */
    public record LiveNode(NodeInfo info, long creation, long registeredAt) {
    }
}
