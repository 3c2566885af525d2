package org.jepmd.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.jepmd.protocol.Epmd;
import org.jepmd.server.guard.ConnectionGuard;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The daemon's EPMD connections, accepted or handed over: the guard that admits each one, the socket
 * options and pipeline they all get, and the set of those open.
 */
final class Connections {
    /** A slow reader of a long NAMES or DUMP reply holds at most this much beyond the kernel's buffer. */
    private static final WriteBufferWaterMark REPLY_WATER_MARK = new WriteBufferWaterMark(8 * 1024, 32 * 1024);

    private final ServerContext context;
    private final ConnectionGuard guard;
    private final ChannelGroup open = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
    /** The registration connections that left their channel (epoll): open too, but not in {@link #open}. */
    private final RegistrationWatchers watchers;
    private final EpmdChannelInitializer setup;
    private final Map<ChannelOption<?>, Object> options;
    private final FastLookup fastLookup;

    Connections(ServerContext context) {
        this.context = context;
        this.guard = new ConnectionGuard(context.config().connectionLimits());
        this.watchers = new RegistrationWatchers(guard, open);
        this.setup = new EpmdChannelInitializer(context, this::admit, watchers);
        this.options = options(context.memory());
        this.fastLookup = new FastLookup(context, setup.logic(), guard);
    }

    private static Map<ChannelOption<?>, Object> options(DirectMemoryBudget memory) {
        Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();
        options.put(ChannelOption.ALLOW_HALF_CLOSURE, true);
        options.put(ChannelOption.ALLOCATOR, memory);
        options.put(ChannelOption.WRITE_BUFFER_WATER_MARK, REPLY_WATER_MARK);
        // TCP_NODELAY: Netty already enables it on every accepted socket; setting it again cost a syscall
        // epmd reads at most INBUF_SIZE - 1 bytes while the length is unknown (docs/protocol.md, Framing)
        options.put(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Epmd.FIRST_READ_SIZE));
        return Collections.unmodifiableMap(options);
    }

    /** Gives every connection {@code bootstrap} accepts the options and pipeline of an EPMD connection. */
    @SuppressWarnings("unchecked")
    ServerBootstrap acceptInto(ServerBootstrap bootstrap) {
        bootstrap.childHandler(setup);
        options.forEach((option, value) -> bootstrap.childOption((ChannelOption<Object>) option, value));
        return bootstrap;
    }

    /** Gives a handed-over connection the options every accepted one gets. */
    void configure(Channel adopted) {
        adopted.config().setOptions(options);
    }

    /** The guard's decision on a new connection; an admitted one joins the open set, a refused one is closed. */
    boolean admit(Channel channel) {
        ConnectionGuard.Refusal refusal = guard.admit(channel);
        if (refusal != null) {
            context.events().connectionRefused(channel.remoteAddress(), refusal.label());
            channel.close();
            return false;
        }
        open.add(channel);
        return true;
    }

    /** What answers lookups at accept on epoll, before a connection is a channel. */
    FastLookup fastLookup() {
        return fastLookup;
    }

    /** The pipelines' builder, which also holds the request logic they share. */
    EpmdChannelInitializer setup() {
        return setup;
    }

    /**
     * Takes a connection guard slot for a handed-over registration that a watcher carries.
     *
     * @return false if refused (reported; the caller closes it)
     */
    boolean admitWatched(java.net.SocketAddress peer) {
        ConnectionGuard.Refusal refusal = guard.admit(peer);
        if (refusal != null) {
            context.events().connectionRefused(peer, refusal.label());
            return false;
        }
        return true;
    }

    /** The open channels: requests in progress, and registration connections that stay channels. */
    ChannelGroup open() {
        return open;
    }

    /** The registration connections that left their channel for a watcher. */
    RegistrationWatchers watchers() {
        return watchers;
    }

    /** Open connections: channels, watchers, and bare descriptors of {@link FastLookup} (waiting or being answered). */
    int count() {
        return open.size() + watchers.size() + guard.slotsHeld();
    }

    /** Closes every connection; completes once the channels are closed (each watcher closes on its loop). */
    io.netty.channel.group.ChannelGroupFuture closeAll() {
        watchers.closeAll();
        return open.close();
    }
}
