package org.jepmd.net;

/**
 * Whether a listener should call accept() again before its event loop waits: a wake-up says that
 * connections are queued, not how many. Under load, accepting until none is left serves several
 * connections per wake-up; when they come one at a time, each extra accept() fails (EAGAIN), and
 * a failed accept() is not cheap (the kernel makes and frees a socket for it). So a listener looks
 * again while at least one in four of its recent looks found a connection, and otherwise only at
 * every {@value #PROBE_EVERY}th wake-up, to notice when load comes back.
 * One per listening socket, used on its event loop only.
 */
public final class AcceptBatching {
    /** Connections accepted per wake-up at most, so that the loop's other connections get their turn. */
    public static final int MAX_PER_WAKEUP = 16;
    /** A wake-up that would not look does so once in this many, to measure again. */
    static final int PROBE_EVERY = 16;
    /** The hit rate's fixed-point one; each look moves it an eighth of the way to 0 or to one. */
    private static final int ONE = 1 << 10;

    /** How often recent looks found a connection, in units of {@link #ONE}. */
    private int hitRate = ONE;
    /** Wake-ups that did not look because the hit rate was low, since the last probe. */
    private int quietWakeups;

    /** Whether to accept again, after the {@code accepted}th connection of this wake-up. */
    public boolean lookAgain(int accepted) {
        if (accepted >= MAX_PER_WAKEUP) {
            return false;
        }
        if (accepted > 1 || hitRate >= ONE / 4) {
            return true; // the last look found one, or one in four recent ones did
        }
        if (++quietWakeups < PROBE_EVERY) {
            return false;
        }
        quietWakeups = 0;
        return true;
    }

    /** What accept() gave after the wake-up's first connection: one more, or none (EAGAIN). */
    public void looked(boolean found) {
        hitRate += ((found ? ONE : 0) - hitRate) >> 3;
    }
}
