package org.jepmd.server;

import org.jepmd.protocol.EpmdTag;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.RefusalReason;
import org.jepmd.registry.RegisteredNode;
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

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the daemon reports what it does: each method makes one {@link EpmdEvent} and hands it to
 * every observer in order. With none ({@link #NONE}) nothing is made, so a daemon without metrics
 * or audit allocates nothing per request for its events.
 */
public final class EpmdEvents {

    /** Reports to no one. */
    public static final EpmdEvents NONE = new EpmdEvents(new EpmdObserver[0]);

    private static final AcceptFailed ACCEPT_FAILED = new AcceptFailed();

    private final EpmdObserver[] observers;

    private EpmdEvents(EpmdObserver[] observers) {
        this.observers = observers;
    }

    /** Events for {@code observers}, in order, nulls skipped; {@link #NONE} if there are none. */
    public static EpmdEvents to(List<EpmdObserver> observers) {
        List<EpmdObserver> real = new ArrayList<>();
        for (EpmdObserver observer : observers) {
            if (observer != null) {
                real.add(observer);
            }
        }
        return real.isEmpty() ? NONE : new EpmdEvents(real.toArray(new EpmdObserver[0]));
    }

    /** Events for the given observers, in order, nulls skipped. */
    public static EpmdEvents to(EpmdObserver... observers) {
        return to(Arrays.asList(observers));
    }

    private boolean observed() {
        return observers.length != 0;
    }

    private void fire(EpmdEvent event) {
        for (EpmdObserver observer : observers) {
            observer.on(event);
        }
    }

    public void connectionOpened(SocketAddress peer, boolean local) {
        if (observed()) {
            fire(new ConnectionOpened(peer, local));
        }
    }

    public void connectionClosed(SocketAddress peer) {
        if (observed()) {
            fire(new ConnectionClosed(peer));
        }
    }

    public void timedOut(SocketAddress peer) {
        if (observed()) {
            fire(new TimedOut(peer));
        }
    }

    public void request(EpmdTag tag, SocketAddress peer) {
        if (observed()) {
            fire(new Request(tag, peer));
        }
    }

    public void dropped(EpmdTag tag, String message, SocketAddress peer) {
        if (observed()) {
            fire(new Dropped(tag, message, peer));
        }
    }

    public void nonLocal(EpmdTag tag, SocketAddress peer) {
        if (observed()) {
            fire(new NonLocal(tag, peer));
        }
    }

    public void registered(RegisteredNode node, SocketAddress peer) {
        if (observed()) {
            fire(new Registered(node, peer));
        }
    }

    public void refused(NodeInfo node, RefusalReason reason, SocketAddress peer) {
        if (observed()) {
            fire(new Refused(node, reason, peer));
        }
    }

    public void unregistered(RegisteredNode node, UnregisterCause cause) {
        if (observed()) {
            fire(new Unregistered(node, cause));
        }
    }

    public void lookup(NodeInfo found, boolean hit, SocketAddress peer) {
        if (observed()) {
            fire(new Lookup(found, hit, peer));
        }
    }

    public void kill(boolean accepted, SocketAddress peer) {
        if (observed()) {
            fire(new Kill(accepted, peer));
        }
    }

    public void stop(String name, boolean found, SocketAddress peer) {
        if (observed()) {
            fire(new Stop(name, found, peer));
        }
    }

    public void connectionRefused(SocketAddress peer, String limit) {
        if (observed()) {
            fire(new ConnectionRefused(peer, limit));
        }
    }

    public void queryDenied(EpmdTag tag, SocketAddress peer) {
        if (observed()) {
            fire(new QueryDenied(tag, peer));
        }
    }

    public void httpQueryDenied(String request, SocketAddress peer) {
        if (observed()) {
            fire(new HttpQueryDenied(request, peer));
        }
    }

    public void acceptFailed() {
        fire(ACCEPT_FAILED);
    }

    public void bytesIn(long count) {
        if (observed()) {
            fire(new BytesIn(count));
        }
    }

    public void bytesOut(long count) {
        if (observed()) {
            fire(new BytesOut(count));
        }
    }
}
