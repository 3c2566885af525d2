package org.jepmd.http;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpAddressTest {

    @Test
    void numericAddressesWithAPort() {
        assertEquals(new InetSocketAddress("127.0.0.1", 9436), HttpAddress.parse("127.0.0.1:9436"));
        assertEquals(new InetSocketAddress("::1", 9436), HttpAddress.parse("[::1]:9436"));
        assertTrue(HttpAddress.parse(":9436").getAddress().isAnyLocalAddress());
    }

    @Test
    void namesBareIpv6AndBadPortsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> HttpAddress.parse("localhost:9436"));
        assertThrows(IllegalArgumentException.class, () -> HttpAddress.parse("::1:9436"));
        assertThrows(IllegalArgumentException.class, () -> HttpAddress.parse("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> HttpAddress.parse("127.0.0.1:65536"));
        assertThrows(IllegalArgumentException.class, () -> HttpAddress.parse("127.0.0.1:http"));
    }
}
