package org.jepmd.server.guard;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default total cap fits the open-file limit, leaving room for the daemon's own descriptors. */
class ConnectionLimitsFitTest {

    @Test
    void theSoftOpenFileLimitIsReadFromProcLimits() {
        List<String> limits = List.of(
                "Limit                     Soft Limit           Hard Limit           Units",
                "Max processes             95000                95000                processes",
                "Max open files            20000                20000                files");
        assertEquals(20_000, OpenFileLimit.parse(limits));
        assertEquals(-1, OpenFileLimit.parse(List.of("Max open files            unlimited            unlimited            files")));
        assertEquals(-1, OpenFileLimit.parse(List.of("Max processes 10 10 processes")));
    }

    @Test
    void theTotalIsTheLimitMinusOpenDescriptorsAndHeadroomAndNeverAboveTheDefault() {
        assertEquals(20_000 - 30 - ConnectionLimits.DESCRIPTOR_HEADROOM, ConnectionLimits.fitting(20_000, 30).maxTotal());
        assertEquals(ConnectionLimits.DEFAULT, ConnectionLimits.fitting(1_048_576, 30));
        assertEquals(ConnectionLimits.DEFAULT, ConnectionLimits.fitting(-1, 30));
        ConnectionLimits tiny = ConnectionLimits.fitting(40, 30);
        assertEquals(ConnectionLimits.DEFAULT.loopbackReserve() + 1, tiny.maxTotal());
        assertEquals(ConnectionLimits.DEFAULT.maxPerPeer(), tiny.maxPerPeer());
    }

    @Test
    void thisProcessGetsACapBelowItsOwnLimit() {
        long limit = OpenFileLimit.current();
        if (limit > 0) {
            int total = ConnectionLimits.forThisProcess().maxTotal();
            assertTrue(total <= limit - OpenFileLimit.openNow() - ConnectionLimits.DESCRIPTOR_HEADROOM + 5, "cap " + total);
            assertTrue(total >= Math.min(ConnectionLimits.DEFAULT.maxTotal(), limit - 2_000), "cap " + total);
        } else {
            assertEquals(ConnectionLimits.DEFAULT, ConnectionLimits.forThisProcess());
        }
    }
}
