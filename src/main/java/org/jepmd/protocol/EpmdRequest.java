package org.jepmd.protocol;

/**
 * One decoded EPMD request (docs/protocol.md, Requests). Each connection carries exactly one.
 */
public sealed interface EpmdRequest {

    /** The request's wire tag. */
    EpmdTag tag();

    /** ALIVE2_REQ: register a node (docs/protocol.md). The registry applies the name and Extra rules. */
    record Alive2(NodeInfo node) implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.ALIVE2_REQ;
        }
    }

    /** PORT_PLEASE2_REQ: look up one node by name (docs/protocol.md). */
    record PortPlease2(NodeName name) implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.PORT_PLEASE2_REQ;
        }
    }

    /** NAMES_REQ: list the live nodes (docs/protocol.md). */
    record Names() implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.NAMES_REQ;
        }
    }

    /** DUMP_REQ: list live and unused nodes with descriptors (docs/protocol.md). */
    record Dump() implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.DUMP_REQ;
        }
    }

    /** KILL_REQ: stop the daemon (docs/protocol.md). */
    record Kill() implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.KILL_REQ;
        }
    }

    /**
     * STOP_REQ: unregister a node by name (docs/protocol.md). A {@code null} name stands for a payload
     * holding only the tag, which epmd drops only after its access and relaxed checks.
     */
    record Stop(NodeName name) implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.STOP_REQ;
        }
    }

    /** JEPMD_INFO_REQ: jepmd's own "who are you", answered to local peers only (docs/protocol.md). */
    record JepmdInfo() implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.JEPMD_INFO_REQ;
        }
    }

    /** Shared instances of the requests that carry nothing. */
    Names NAMES = new Names();
    Dump DUMP = new Dump();
    Kill KILL = new Kill();
    JepmdInfo JEPMD_INFO = new JepmdInfo();
}
