package org.jepmd.restart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where a daemon's hand-over socket lives: {@code restart-PORT} in a directory only its user can
 * enter, {@code $XDG_RUNTIME_DIR/jepmd} when that is set, else {@code /tmp/jepmd-UID}. The
 * directory is made 0700 when missing, and refused when it is a symlink, not the user's own, or
 * open to group or others: another user must not be able to put a socket there.
 */
public final class HandoverPaths {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final Path directory;

    private HandoverPaths(Path directory) {
        this.directory = directory;
    }

    /** The directory for this environment (not yet checked). */
    public static HandoverPaths of(Map<String, String> env) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty() && runtime.startsWith("/")) {
            return new HandoverPaths(Path.of(runtime, "jepmd"));
        }
        return new HandoverPaths(Path.of(System.getProperty("java.io.tmpdir", "/tmp"), "jepmd-" + Uid.current()));
    }

    /** The directory, as given. */
    public static HandoverPaths in(Path directory) {
        return new HandoverPaths(directory);
    }

    /** The hand-over socket of the daemon on {@code port} (the bound port, 0 to 65535). */
    public Path socket(int port) {
        return directory.resolve("restart-" + port);
    }

    /**
     * Makes the directory (0700) if missing and checks that only this user can use it.
     *
     * @throws IOException saying what is wrong with it
     */
    public Path secureDirectory() throws IOException {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(directory.getParent());
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made by another daemon meanwhile: checked below
            }
        }
        checkPrivate();
        return directory;
    }

    /**
     * Checks, without creating anything, that the directory is this user's own and private.
     *
     * @throws IOException saying what is wrong with it
     */
    public void checkPrivate() throws IOException {
        if (Files.isSymbolicLink(directory) || !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(directory + " is not a directory");
        }
        Object owner = Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!(owner instanceof Integer uid) || uid != Uid.current()) {
            throw new IOException(directory + " belongs to another user");
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS);
        if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
            throw new IOException(directory + " is open to other users (mode "
                    + PosixFilePermissions.toString(permissions) + ")");
        }
    }
}
