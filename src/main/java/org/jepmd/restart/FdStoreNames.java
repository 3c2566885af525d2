package org.jepmd.restart;

/**
 * The {@code FDNAME}s a {@code -systemd} daemon gives what it leaves in systemd's fd store: the
 * registry state, and each registration connection under its socket's inode. systemd keeps a
 * descriptor it already holds under the name it first got, so a name only says "a connection":
 * the next daemon pairs connections with registrations by the inodes the state records
 * ({@link FdStoreState}), never by name.
 */
public final class FdStoreNames {
    /** Every name starts so: the other passed descriptors are listening sockets. */
    public static final String PREFIX = "jepmd-";
    /** The memory file holding the registry state (StateCodec). */
    public static final String STATE = PREFIX + "state";
    private static final String NODE = PREFIX + "node-";

    private FdStoreNames() {
    }

    /** The name of a registration's connection, whose socket has inode {@code inode}. */
    public static String node(long inode) {
        return NODE + Long.toUnsignedString(inode);
    }

    /** Whether {@code name} is a registration connection's, whatever it carries after the prefix. */
    static boolean isNode(String name) {
        return name.startsWith(NODE);
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
