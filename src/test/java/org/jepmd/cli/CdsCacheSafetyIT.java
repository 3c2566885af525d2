package org.jepmd.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class-data-sharing cache of {@code scripts/jepmd}: the JVM maps an archive unverified, so
 * the launcher must only use one that no other user could have written or swapped, and must
 * never write through a name someone planted in its cache. Each test runs a copy of the launcher
 * in an install directory of its own (its own {@code target/cds}) with its own user cache.
 */
class CdsCacheSafetyIT {
    private static final int NOBODY = 65534;

    @TempDir
    static Path root;
    /** One Java for every test: the archives' names depend on its path. */
    private static RecordingJava java;
    /** An install whose cache holds a fresh client archive, trained once. */
    private static Install trained;

    @BeforeAll
    static void trainOnce() throws IOException {
        java = RecordingJava.in(root.resolve("jdk"));
        trained = Install.at(Files.createTempDirectory(root, "trained"));
        trained.runVersion();
        Path archive = java.lastArchive().orElseThrow(() -> new AssertionError("no archive made"));
        assertTrue(archive.startsWith(trained.cds()), archive.toString());
    }

    /** A copy of the launcher beside the packaged jar, with a user cache of its own. */
    private record Install(Path home) {
        static Install at(Path home) {
            try {
                Path scripts = Files.createDirectories(home.resolve("scripts"));
                Files.copy(Exec.JEPMD, scripts.resolve("jepmd"), StandardCopyOption.COPY_ATTRIBUTES);
                Path target = Files.createDirectories(home.resolve("target"));
                Files.createSymbolicLink(target.resolve("jepmd.jar"), Path.of("target", "jepmd.jar").toAbsolutePath());
                Files.createDirectories(home.resolve("user"));
                return new Install(home);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Path cds() {
            return home.resolve("target").resolve("cds");
        }

        /** The user's cache: {@code $XDG_CACHE_HOME/jepmd}. */
        Path userCache() {
            return home.resolve("xdg").resolve("jepmd");
        }

        /** {@code jepmd -version} under umask {@code umask}; it must work whatever the cache holds. */
        void runVersion(String umask) {
            Map<String, String> env = Exec.env(java.env(Map.of("JEPMD_CDS", "on",
                    "XDG_CACHE_HOME", home.resolve("xdg").toString(), "HOME", home.resolve("user").toString())));
            Exec.Result result = Exec.run("/bin/sh", env, "-c", "umask " + umask + " && exec \"$0\" -version",
                    home.resolve("scripts").resolve("jepmd").toString());
            assertEquals(0, result.exit(), result.toString());
            assertTrue(result.out().startsWith("jepmd ") && result.err().isEmpty(), result.toString());
        }

        void runVersion() {
            runVersion("022");
        }

        /** {@code jepmd -version}, started, not awaited. */
        Process startVersion() throws IOException {
            ProcessBuilder builder = new ProcessBuilder(home.resolve("scripts").resolve("jepmd").toString(), "-version")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            builder.environment().putAll(Exec.env(java.env(Map.of("JEPMD_CDS", "on",
                    "XDG_CACHE_HOME", home.resolve("xdg").toString(), "HOME", home.resolve("user").toString()))));
            return builder.start();
        }

        /** A target/cds made by hand, with the permissions {@code mode}. */
        Path makeCds(String mode) throws IOException {
            Files.createDirectories(cds());
            Files.setPosixFilePermissions(cds(), PosixFilePermissions.fromString(mode));
            return cds();
        }
    }

    private static Install freshInstall() throws IOException {
        return Install.at(Files.createTempDirectory(root, "install"));
    }

    private static Optional<Path> archiveUsed() {
        return java.lastArchive();
    }

    private static Path trainedArchive() throws IOException {
        try (Stream<Path> files = Files.list(trained.cds())) {
            return files.filter(f -> f.getFileName().toString().endsWith("-client.jsa")).findFirst().orElseThrow();
        }
    }

    private static List<Path> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static boolean othersCanWrite(Path path) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        return permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static int owner(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static void assumeRoot() throws IOException {
        Assumptions.assumeTrue(owner(root) == 0, "only root can give a directory to another user");
    }

    @Test
    void directoriesItMakesAreNotWritableByOthersEvenUnderUmask000() throws IOException {
        Install install = freshInstall();
        install.runVersion("000");
        assertFalse(othersCanWrite(install.cds()), Files.getPosixFilePermissions(install.cds()).toString());
        assertTrue(archiveUsed().orElseThrow().startsWith(install.cds()));

        Install second = freshInstall();
        second.makeCds("rwxrwxrwx");
        second.runVersion("000");
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(second.userCache()));
    }

    @Test
    void aCacheDirectoryOthersCanWriteIsSkipped() throws IOException {
        Install install = freshInstall();
        install.makeCds("rwxrwxrwx");
        assertSkipsTargetCds(install, "world-writable");
        install.makeCds("rwxrwxr-x");
        assertSkipsTargetCds(install, "group-writable");
    }

    /** A run leaves target/cds as it was and takes its archive from the user's cache. */
    private static void assertSkipsTargetCds(Install install, String why) throws IOException {
        install.runVersion();
        assertEquals(List.of(), listing(install.cds()), "nothing made in the " + why + " target/cds");
        assertTrue(archiveUsed().orElseThrow().startsWith(install.userCache()), archiveUsed().toString());
    }

    @Test
    void withNoSafeCacheDirectoryItRunsWithoutAnArchive() throws IOException {
        Install install = freshInstall();
        install.makeCds("rwxrwxrwx");
        Files.createDirectories(install.userCache());
        Files.setPosixFilePermissions(install.userCache(), PosixFilePermissions.fromString("rwxrwxrwx"));
        install.runVersion();
        assertEquals(Optional.empty(), archiveUsed());
        assertEquals(List.of(), listing(install.cds()));
        assertEquals(List.of(), listing(install.userCache()));
    }

    @Test
    void aCacheDirectoryOfAnotherUserIsSkipped() throws IOException {
        assumeRoot();
        Install install = freshInstall();
        Files.setAttribute(install.makeCds("rwxr-xr-x"), "unix:uid", NOBODY);
        assertSkipsTargetCds(install, "nobody's");
    }

    @Test
    void noNameBesideTheArchiveIsWrittenThroughASymlink() throws IOException {
        Install install = freshInstall();
        Path cds = install.makeCds("rwxr-xr-x");
        Path victims = Files.createDirectories(install.home().resolve("victims"));
        // every name the launcher keeps beside its archives (locks, stamps), planted as a symlink
        List<Path> planted = listing(trained.cds()).stream().filter(f -> !f.toString().endsWith(".jsa")).toList();
        assertFalse(planted.isEmpty());
        for (Path name : planted) {
            Path victim = Files.writeString(victims.resolve(name.getFileName()), "precious\n");
            Files.createSymbolicLink(cds.resolve(name.getFileName()), victim);
        }
        install.runVersion();
        for (Path name : planted) {
            assertEquals("precious\n", Files.readString(victims.resolve(name.getFileName())), name.toString());
        }
    }

    @Test
    void aSymlinkedArchiveIsNotUsed() throws IOException {
        Path elsewhere = trainedArchive();
        FileTime modified = Files.getLastModifiedTime(elsewhere);
        Install install = copyOfTrainedCache();
        Path archive = install.cds().resolve(elsewhere.getFileName());
        Files.delete(archive);
        Files.createSymbolicLink(archive, elsewhere);
        install.runVersion();
        Path used = archiveUsed().orElseThrow();
        assertFalse(Files.isSymbolicLink(used), used + " is a symlink");
        assertEquals(modified, Files.getLastModifiedTime(elsewhere), "the link's target untouched");
    }

    @Test
    void anArchiveOthersCanWriteIsNotUsed() throws IOException {
        Install install = copyOfTrainedCache();
        Path archive = install.cds().resolve(trainedArchive().getFileName());
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-rw-rw-"));
        install.runVersion();
        Optional<Path> used = archiveUsed();
        assertTrue(used.isEmpty() || !othersCanWrite(used.get()), used + " is writable by others");
    }

    @Test
    void anArchiveOfAnotherUserIsNotUsed() throws IOException {
        assumeRoot();
        Install install = copyOfTrainedCache();
        Path archive = install.cds().resolve(trainedArchive().getFileName());
        Files.setAttribute(archive, "unix:uid", NOBODY);
        install.runVersion();
        Optional<Path> used = archiveUsed();
        assertTrue(used.isEmpty() || owner(used.get()) == owner(root), used + " belongs to another user");
    }

    /** A new install whose target/cds holds copies of the trained one's files. */
    private static Install copyOfTrainedCache() throws IOException {
        Install install = freshInstall();
        Path cds = install.makeCds("rwxr-xr-x");
        for (Path file : listing(trained.cds())) {
            Files.copy(file, cds.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return install;
    }

    @Test
    void aLauncherStoppedWhileItTrainsLeavesNoTemporaryFiles() throws Exception {
        Install install = freshInstall();
        Process launcher = install.startVersion();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (listing(install.cds()).stream().noneMatch(f -> f.toString().endsWith(".classes"))) {
                assertTrue(launcher.isAlive() && System.nanoTime() < deadline, "no training run began");
                Thread.sleep(20);
            }
            launcher.destroy(); // SIGTERM to the launcher alone: the training JVM it waits for runs on
            assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end");
            assertEquals(128 + 15, launcher.exitValue(), "ended by the SIGTERM");
            assertEquals(List.of(), listing(install.cds()));
        } finally {
            launcher.destroyForcibly();
        }
    }
}
