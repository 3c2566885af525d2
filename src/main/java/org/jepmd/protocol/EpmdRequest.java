package org.jepmd.protocol;

/**
 * One decoded EPMD request (spec section 2). Each connection carries exactly one.
 */
public sealed interface EpmdRequest {

    /** The request's wire tag. */
    EpmdTag tag();

    /** ALIVE2_REQ: register a node (spec 2.1). The registry applies the name and Extra rules. */
    record Alive2(NodeInfo node) implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.ALIVE2_REQ;
        }
    }

    /** PORT_PLEASE2_REQ: look up one node by name (spec 2.2). */
    record PortPlease2(NodeName name) implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.PORT_PLEASE2_REQ;
        }
    }

    /** NAMES_REQ: list the live nodes (spec 2.3). */
    record Names() implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.NAMES_REQ;
        }
    }

    /** DUMP_REQ: list live and unused nodes with descriptors (spec 2.4). */
    record Dump() implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.DUMP_REQ;
        }
    }

    /** KILL_REQ: stop the daemon (spec 2.5). */
    record Kill() implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.KILL_REQ;
        }
    }

    /**
     * STOP_REQ: unregister a node by name (spec 2.6). A {@code null} name stands for a payload
     * holding only the tag, which epmd drops only after its access and relaxed checks.
     */
    record Stop(NodeName name) implements EpmdRequest {
        @Override
        public EpmdTag tag() {
            return EpmdTag.STOP_REQ;
        }
    }

    /** Shared instances of the requests that carry nothing. */
    Names NAMES = new Names();
    Dump DUMP = new Dump();
    Kill KILL = new Kill();
}
