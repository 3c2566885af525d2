package org.jepmd.server;

import org.jepmd.registry.NodeRegistry;

/**
 * What every connection of one daemon shares.
 *
 * @param config     the configuration
 * @param registry   the node database
 * @param transport  the socket transport, for descriptor numbers
 * @param stopper    stops the daemon (KILL_REQ)
 */
record ServerContext(ServerConfig config, NodeRegistry registry, Transport transport, Runnable stopper) {

    EpmdEvents events() {
        return config.events();
    }

    void shutdown() {
        stopper.run();
    }
}
