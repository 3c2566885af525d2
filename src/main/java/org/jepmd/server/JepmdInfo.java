package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jepmd.protocol.EpmdReplies;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to JEPMD_INFO_REQ, jepmd's own request (docs/protocol.md): which daemon this is, so an
 * operator can tell jepmd from epmd on a port without changing anything an epmd client sees.
 */
final class JepmdInfo {
    private static final Instant STARTED = ProcessHandle.current().info().startInstant().orElse(Instant.now());

    private JepmdInfo() {
    }

    /** {@code implementation}, {@code version}, {@code pid}, {@code uptime}, {@code port}, {@code flags}, {@code transport}. */
    static ByteBuf reply(ByteBufAllocator alloc, ServerContext server) {
        Map<String, String> fields = new LinkedHashMap<>();
        Package pkg = JepmdInfo.class.getPackage();
        String version = pkg == null ? null : pkg.getImplementationVersion();
        fields.put("implementation", "jepmd");
        fields.put("version", version == null ? "(development build)" : version);
        fields.put("pid", Long.toString(ProcessHandle.current().pid()));
        fields.put("uptime", Duration.between(STARTED, Instant.now()).toSeconds() + " s");
        fields.put("port", Integer.toString(server.config().port()));
        fields.put("flags", String.join(" ", server.config().arguments()));
        fields.put("transport", server.transport().kind().label());
        return EpmdReplies.jepmdInfo(alloc, fields);
    }
}
