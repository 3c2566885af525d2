package org.jepmd.ops;

import org.jepmd.protocol.EpmdTag;
import org.jepmd.protocol.NodeInfo;
import org.jepmd.registry.RefusalReason;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.server.EpmdEvents;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Passes every event to several observers, in order. */
public final class CompositeEvents implements EpmdEvents {
    private final EpmdEvents[] observers;

    private CompositeEvents(List<EpmdEvents> observers) {
        this.observers = observers.toArray(new EpmdEvents[0]);
    }

    /** The observers combined: {@link EpmdEvents#NONE} for none, the observer itself for one. */
    public static EpmdEvents of(List<EpmdEvents> observers) {
        List<EpmdEvents> real = new ArrayList<>();
        for (EpmdEvents observer : observers) {
            if (observer != null && observer != EpmdEvents.NONE) {
                real.add(observer);
            }
        }
        if (real.isEmpty()) {
            return EpmdEvents.NONE;
        }
        return real.size() == 1 ? real.get(0) : new CompositeEvents(real);
    }

    @Override
    public void connectionOpened(SocketAddress peer, boolean local) {
        for (EpmdEvents o : observers) {
            o.connectionOpened(peer, local);
        }
    }

    @Override
    public void connectionClosed(SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.connectionClosed(peer);
        }
    }

    @Override
    public void timedOut(SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.timedOut(peer);
        }
    }

    @Override
    public void request(EpmdTag tag, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.request(tag, peer);
        }
    }

    @Override
    public void dropped(EpmdTag tag, String message, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.dropped(tag, message, peer);
        }
    }

    @Override
    public void nonLocal(EpmdTag tag, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.nonLocal(tag, peer);
        }
    }

    @Override
    public void registered(RegisteredNode node, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.registered(node, peer);
        }
    }

    @Override
    public void refused(NodeInfo node, RefusalReason reason, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.refused(node, reason, peer);
        }
    }

    @Override
    public void unregistered(RegisteredNode node, UnregisterCause cause) {
        for (EpmdEvents o : observers) {
            o.unregistered(node, cause);
        }
    }

    @Override
    public void lookup(NodeInfo found, boolean hit, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.lookup(found, hit, peer);
        }
    }

    @Override
    public void kill(boolean accepted, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.kill(accepted, peer);
        }
    }

    @Override
    public void stop(String name, boolean found, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.stop(name, found, peer);
        }
    }

    @Override
    public void connectionRefused(SocketAddress peer, String limit) {
        for (EpmdEvents o : observers) {
            o.connectionRefused(peer, limit);
        }
    }

    @Override
    public void queryDenied(EpmdTag tag, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.queryDenied(tag, peer);
        }
    }

    @Override
    public void httpQueryDenied(String request, SocketAddress peer) {
        for (EpmdEvents o : observers) {
            o.httpQueryDenied(request, peer);
        }
    }

    @Override
    public void acceptFailed() {
        for (EpmdEvents o : observers) {
            o.acceptFailed();
        }
    }

    @Override
    public void bytesIn(long count) {
        for (EpmdEvents o : observers) {
            o.bytesIn(count);
        }
    }

    @Override
    public void bytesOut(long count) {
        for (EpmdEvents o : observers) {
            o.bytesOut(count);
        }
    }
}
