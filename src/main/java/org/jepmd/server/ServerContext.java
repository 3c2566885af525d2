package org.jepmd.server;

import org.jepmd.registry.NodeRegistry;

/**
 * What every connection of one daemon shares.
 *
 * @param config     the configuration
 * @param events     where the daemon reports what it does
 * @param registry   the node database
 * @param transport  the socket transport, for descriptor numbers
 * @param stopper    stops the daemon (KILL_REQ)
 * @param memory     the connections' allocator, whose direct memory is capped
 */
record ServerContext(ServerConfig config, EpmdEvents events, NodeRegistry registry, Transport transport, Runnable stopper,
                     DirectMemoryBudget memory) {

    void shutdown() {
        stopper.run();
    }
}
