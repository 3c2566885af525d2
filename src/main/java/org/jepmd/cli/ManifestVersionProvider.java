package org.jepmd.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code -version}: the {@code Implementation-Title} and {@code Implementation-Version} of the jar
 * jepmd runs from ({@code "jepmd (development build)"} when run from classes, e.g. in tests).
 */
public final class ManifestVersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        Package pkg = ManifestVersionProvider.class.getPackage();
        String title = pkg == null ? null : pkg.getImplementationTitle();
        String version = pkg == null ? null : pkg.getImplementationVersion();
        return new String[] {(title == null ? "jepmd" : title) + " "
                + (version == null ? "(development build)" : version)};
    }
}
