package org.jepmd.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The test class path with jepmd's compiled classes ({@code target/classes}) packed into a jar, for a
 * daemon started as its own JVM: users run jepmd from a jar, which its class loader keeps open, so a
 * class first needed while the daemon is out of descriptors still loads. From a directory each class
 * is a file to open, and a class that fails to load then (EMFILE) fails for good at that call site.
 * The jar is made once per test JVM.
 */
final class ClassesJar {
    private static String classPath;

    private ClassesJar() {
    }

    /** {@code java.class.path}, its {@code target/classes} entry replaced by a jar of it. */
    static synchronized String classPath() {
        if (classPath == null) {
            List<String> entries = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path path = Path.of(entry);
                boolean mainClasses = Files.isDirectory(path) && path.endsWith(Path.of("target", "classes"));
                entries.add(mainClasses ? pack(path).toString() : entry);
            }
            classPath = String.join(File.pathSeparator, entries);
        }
        return classPath;
    }

    private static Path pack(Path classes) {
        try {
            Path jar = Files.createTempFile("jepmd-classes-", ".jar");
            jar.toFile().deleteOnExit();
            try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path source : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                    out.putNextEntry(new JarEntry(classes.relativize(source).toString().replace(File.separatorChar, '/')));
                    Files.copy(source, out);
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + classes, e);
        }
    }
}
