package org.jepmd.http;

import org.jepmd.protocol.NodeInfo;
import org.jepmd.protocol.NodeName;
import org.jepmd.registry.RegisteredNode;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NodesJsonTest {

    @Test
    void everyFieldOfARegistration() {
        NodeInfo info = new NodeInfo(NodeName.of("a\"b\\c\u0001"), 40001, 77, 0, 5, 5, new byte[] {0, 0x7f});
        RegisteredNode node = new RegisteredNode(info, 7, new Object(), 12, new InetSocketAddress("::1", 5000), 0);
        assertEquals("{\"port\":4369,\"nodes\":[{\"name\":\"a\\\"b\\\\c\\u0001\",\"port\":40001,\"nodeType\":77,"
                + "\"protocol\":0,\"highestVersion\":5,\"lowestVersion\":5,\"extra\":\"007f\",\"creation\":2,"
                + "\"registeredAt\":\"1970-01-01T00:00:00Z\",\"peer\":\"[::1]:5000\"}]}",
                NodesJson.of(4369, List.of(node)));
    }

    @Test
    void noNodes() {
        assertEquals("{\"port\":4369,\"nodes\":[]}", NodesJson.of(4369, List.of()));
    }
}
