package org.jepmd.restart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A socket's inode number: the same through {@code dup()} and SCM_RIGHTS, in every process, for the
 * socket's whole life, so it names a registration's connection across an fd-store restart. Read
 * from {@code /proc/self/fd/N} ({@code socket:[INODE]}), which {@code ProtectProc=invisible} leaves
 * visible (it hides other processes only).
 */
final class SocketInode {
    /** Never a socket's inode: stands for "no connection". */
    static final long NONE = 0;
    private static final String PREFIX = "socket:[";

    private SocketInode() {
    }

    /**
     * The inode of the socket that {@code fd} refers to.
     *
     * @throws IOException when {@code fd} is not open or is not a socket
     */
    static long of(int fd) throws IOException {
        String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        if (!target.startsWith(PREFIX) || !target.endsWith("]")) {
            throw new IOException("descriptor " + fd + " is " + target + ", not a socket");
        }
        try {
            return Long.parseUnsignedLong(target.substring(PREFIX.length(), target.length() - 1));
        } catch (NumberFormatException e) {
            throw new IOException("descriptor " + fd + " is " + target + ", not a socket");
        }
    }
}
