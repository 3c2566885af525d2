package org.jepmd.http;

import org.jepmd.net.Peers;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.RegisteredNode;

import java.time.Instant;
import java.util.HexFormat;

/**
 * The live registrations as JSON, newest first as NAMES lists them:
 * <pre>{"port":4369,"nodes":[{"name":"a","port":37011,"nodeType":77,"protocol":0,
 *   "highestVersion":6,"lowestVersion":5,"extra":"","creation":1763773000,
 *   "registeredAt":"2026-11-22T02:50:00.123Z","peer":"127.0.0.1:50123"}]}</pre>
 * {@code extra} is hex, {@code creation} the value sent to that node (docs/protocol.md, Creation numbers). Written by
 * hand: ten fixed fields need a string escaper, not a JSON library.
 */
final class NodesJson {
    private NodesJson() {
    }

    static String of(int configuredPort, Iterable<RegisteredNode> nodes) {
        StringBuilder out = new StringBuilder(256).append("{\"port\":").append(configuredPort).append(",\"nodes\":[");
        boolean first = true;
        for (RegisteredNode node : nodes) {
            if (!first) {
                out.append(',');
            }
            first = false;
            NodeInfo info = node.info();
            out.append("{\"name\":");
            string(out, info.name().toString());
            out.append(",\"port\":").append(info.port())
                    .append(",\"nodeType\":").append(info.nodeType())
                    .append(",\"protocol\":").append(info.protocol())
                    .append(",\"highestVersion\":").append(info.highestVersion())
                    .append(",\"lowestVersion\":").append(info.lowestVersion())
                    .append(",\"extra\":\"").append(HexFormat.of().formatHex(info.extra())).append('"')
                    .append(",\"creation\":").append(node.creationFor(info.highestVersion()))
                    .append(",\"registeredAt\":\"").append(Instant.ofEpochMilli(node.registeredAt())).append('"')
                    .append(",\"peer\":");
            string(out, Peers.text(node.peer()));
            out.append('}');
        }
        return out.append("]}").toString();
    }

    /** A JSON string literal (RFC 8259 section 7): quote, backslash and control characters escaped. */
    static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || c == 0x7F) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
