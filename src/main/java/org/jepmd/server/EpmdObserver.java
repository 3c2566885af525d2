package org.jepmd.server;

/**
 * Observes what the daemon does, for metrics and the audit log. Every call comes from an event-loop
 * thread: implementations must be thread-safe and quick, and ignore the events they do not track.
 */
@FunctionalInterface
public interface EpmdObserver {

    void on(EpmdEvent event);
}
