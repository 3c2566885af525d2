package org.jepmd.restart;

/**
 * The {@code FDNAME}s a {@code -systemd} daemon gives what it leaves in systemd's fd store: the
 * registry state, and each registration connection under its index in the state's live list (one
 * per message: systemd keeps no order among descriptors, so only a name tells them apart).
 */
public final class FdStoreNames {
    /** Every name starts so: the other passed descriptors are listening sockets. */
    public static final String PREFIX = "jepmd-";
    /** The memory file holding the registry state (StateCodec). */
    public static final String STATE = PREFIX + "state";
    private static final String NODE = PREFIX + "node-";

    private FdStoreNames() {
    }

    /** The name of the connection of the state's {@code index}-th live registration. */
    public static String node(int index) {
        return NODE + index;
    }

    /** The index a registration's name carries, or -1 when {@code name} names none. */
    static int nodeIndex(String name) {
        if (!name.startsWith(NODE)) {
            return -1;
        }
        try {
            return Integer.parseInt(name.substring(NODE.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code sd_notify()}'s message storing descriptors under {@code name}. */
    static String store(String name) {
        return "FDSTORE=1\nFDNAME=" + name;
    }

    /** {@code sd_notify()}'s message discarding every stored descriptor named {@code name}. */
    static String remove(String name) {
        return "FDSTOREREMOVE=1\nFDNAME=" + name;
    }
}
