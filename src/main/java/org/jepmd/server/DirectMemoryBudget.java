package org.jepmd.server;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The allocator of every EPMD connection: unpooled buffers (a connection's bytes are few and
 * short-lived) whose direct memory is capped below the JVM's own limit. A request beyond the cap
 * fails at once with {@link Exhausted}, which closes just that connection; the JDK's own limit is
 * never reached, so no event loop ever sleeps in {@code java.nio.Bits.reserveMemory} waiting for a
 * garbage collection (docs/operations.md, "Memory budget").
 */
public final class DirectMemoryBudget extends AbstractByteBufAllocator {
    /** Three quarters of the JVM's direct memory: the rest is left to the JDK and the HTTP endpoint. */
    public static final DirectMemoryBudget DEFAULT = new DirectMemoryBudget(PlatformDependent.maxDirectMemory() / 4 * 3);

    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final UnpooledByteBufAllocator memory = new UnpooledByteBufAllocator(true);
    private final long limit;
    private final LongAdder refusals = new LongAdder();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    public DirectMemoryBudget(long limit) {
        super(true);
        this.limit = limit;
    }

    /** Direct bytes held right now by buffers from this allocator. */
    public long used() {
        return memory.metric().usedDirectMemory();
    }

    public long limit() {
        return limit;
    }

    /** Allocations refused so far, each of which closed a connection. */
    public long refusals() {
        return refusals.sum();
    }

    /**
     * True at most once a second: a flood of refused allocations is logged as one line, not one
     * line per connection.
     */
    public boolean logRefusalNow() {
        long last = lastLogged.get();
        long now = System.nanoTime();
        return now - last >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(last, now);
    }

    /** True if {@code cause} is this budget's refusal, which closes the connection; logged at most once a second. */
    boolean isRefusal(Throwable cause) {
        if (!(cause instanceof Exhausted exhausted)) {
            return false;
        }
        if (logRefusalNow()) {
            EpmdLog.LOG.warn("closing connections: {}", exhausted.getMessage());
        }
        return true;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        if (used() + initialCapacity > limit) {
            refusals.increment();
            throw new Exhausted(initialCapacity, used(), limit);
        }
        return memory.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return memory.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** The budget cannot hold one more buffer: the connection that asked is closed. */
    public static final class Exhausted extends OutOfMemoryError {
        private static final long serialVersionUID = 1L;

        Exhausted(int wanted, long used, long limit) {
            super("direct memory budget exhausted (wanted " + wanted + " bytes, " + used + " of " + limit + " in use)");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an expected condition under load, not a bug
        }
    }
}
