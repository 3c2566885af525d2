package org.jepmd.restart;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

import static org.jepmd.server.EpmdLog.LOG;

/**
 * {@code FDSTOREREMOVE=1} for each of a set of names. One that cannot be sent leaves its
 * descriptors in systemd's store: harmless, since the next start pairs by inode and closes what no
 * registration claims, but worth one warning line.
 */
final class FdStoreRemovals {
    private FdStoreRemovals() {
    }

    /**
     * Sends the removal of every name through {@code send}, which tells whether the message went out.
     */
    static void remove(Collection<String> names, Predicate<String> send) {
        List<String> failed = new ArrayList<>();
        for (String name : names) {
            if (!send.test(FdStoreNames.remove(name))) {
                failed.add(name);
            }
        }
        if (!failed.isEmpty()) {
            LOG.warn("cannot remove {} of {} names from systemd's fd store (FDSTOREREMOVE=1 for {} failed); the next start"
                    + " closes what no registration claims", failed.size(), names.size(), failed.get(0));
        }
    }
}
