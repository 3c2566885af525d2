package org.jepmd.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What a node registers with ALIVE2_REQ (docs/protocol.md, ALIVE2_REQ): its name, distribution port, node type,
 * protocol, version range and opaque Extra bytes. None of the numeric fields is validated, as in epmd.
 */
public record NodeInfo(NodeName name, int port, int nodeType, int protocol,
                       int highestVersion, int lowestVersion, byte[] extra) {

    public NodeInfo {
        extra = extra.clone();
    }

    /** A copy of the Extra field. */
    @Override
    public byte[] extra() {
        return extra.clone();
    }

    /** The record's own Extra array, for encoders in this package: never modify it. */
    byte[] rawExtra() {
        return extra;
    }

    /** Length of the Extra field in bytes. */
    public int extraLength() {
        return extra.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeInfo other
                && name.equals(other.name) && port == other.port && nodeType == other.nodeType
                && protocol == other.protocol && highestVersion == other.highestVersion
                && lowestVersion == other.lowestVersion && Arrays.equals(extra, other.extra);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(extra) + port;
    }

    @Override
    public String toString() {
        return "NodeInfo[name=" + name + ", port=" + port + ", nodeType=" + nodeType
                + ", protocol=" + protocol + ", highestVersion=" + highestVersion
                + ", lowestVersion=" + lowestVersion + ", extra=" + HexFormat.of().formatHex(extra) + "]";
    }
}
