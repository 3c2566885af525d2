package org.jepmd.server;

import org.jepmd.protocol.EpmdTag;
import org.jepmd.registry.RefusalReason;
import org.jepmd.server.EpmdEvent.AcceptFailed;
import org.jepmd.server.EpmdEvent.BytesIn;
import org.jepmd.server.EpmdEvent.BytesOut;
import org.jepmd.server.EpmdEvent.ConnectionClosed;
import org.jepmd.server.EpmdEvent.ConnectionOpened;
import org.jepmd.server.EpmdEvent.ConnectionRefused;
import org.jepmd.server.EpmdEvent.Dropped;
import org.jepmd.server.EpmdEvent.HttpQueryDenied;
import org.jepmd.server.EpmdEvent.Kill;
import org.jepmd.server.EpmdEvent.Lookup;
import org.jepmd.server.EpmdEvent.NonLocal;
import org.jepmd.server.EpmdEvent.QueryDenied;
import org.jepmd.server.EpmdEvent.Refused;
import org.jepmd.server.EpmdEvent.Registered;
import org.jepmd.server.EpmdEvent.Request;
import org.jepmd.server.EpmdEvent.Stop;
import org.jepmd.server.EpmdEvent.TimedOut;
import org.jepmd.server.EpmdEvent.Unregistered;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** One event of every kind, for tests of observers ({@code EpmdEventsTest} checks that none is missing). */
public final class EpmdEventSamples {
    private static final SocketAddress PEER = new InetSocketAddress("192.0.2.1", 50000);

    private EpmdEventSamples() {
    }

    /** Calls every reporting method once, making {@link #ONE_OF_EACH}. */
    public static void reportOneOfEach(EpmdEvents events) {
        events.connectionOpened(PEER, true);
        events.connectionClosed(PEER);
        events.timedOut(PEER);
        events.request(EpmdTag.NAMES_REQ, PEER);
        events.dropped(EpmdTag.DUMP_REQ, "bad", PEER);
        events.nonLocal(EpmdTag.KILL_REQ, PEER);
        events.registered(null, PEER);
        events.refused(null, RefusalReason.NAME_OCCUPIED, PEER);
        events.unregistered(null, UnregisterCause.STOPPED);
        events.lookup(null, false, PEER);
        events.kill(true, PEER);
        events.stop("foo", false, PEER);
        events.connectionRefused(PEER, "total");
        events.queryDenied(EpmdTag.PORT_PLEASE2_REQ, PEER);
        events.httpQueryDenied("GET /nodes", PEER);
        events.acceptFailed();
        events.bytesIn(3);
        events.bytesOut(4);
    }

    /** One event of each kind, in the order {@link #reportOneOfEach} makes them. */
    public static final List<EpmdEvent> ONE_OF_EACH = List.of(
            new ConnectionOpened(PEER, true), new ConnectionClosed(PEER), new TimedOut(PEER),
            new Request(EpmdTag.NAMES_REQ, PEER), new Dropped(EpmdTag.DUMP_REQ, "bad", PEER),
            new NonLocal(EpmdTag.KILL_REQ, PEER), new Registered(null, PEER),
            new Refused(null, RefusalReason.NAME_OCCUPIED, PEER), new Unregistered(null, UnregisterCause.STOPPED),
            new Lookup(null, false, PEER), new Kill(true, PEER), new Stop("foo", false, PEER),
            new ConnectionRefused(PEER, "total"), new QueryDenied(EpmdTag.PORT_PLEASE2_REQ, PEER),
            new HttpQueryDenied("GET /nodes", PEER), new AcceptFailed(), new BytesIn(3), new BytesOut(4));
}
