package org.jepmd.server;

import org.jepmd.registry.NodeRegistry;

/**
 * What every connection of one daemon shares.
 *
 * @param config     the configuration
 * @param registry   the node database
 * @param transport  the socket transport, for descriptor numbers
 * @param stopper    stops the daemon (KILL_REQ)
 * @param memory     the connections' allocator, whose direct memory is capped
 */
record ServerContext(ServerConfig config, NodeRegistry registry, Transport transport, Runnable stopper,
                     DirectMemoryBudget memory) {

    EpmdEvents events() {
        return config.events();
    }

    void shutdown() {
        stopper.run();
    }
}
