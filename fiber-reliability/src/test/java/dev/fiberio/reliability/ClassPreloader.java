package dev.fiberio.reliability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Loads, ahead of time, every class a process might need later from its class path, for a process that
 * is about to run out of file descriptors: a class loaded from a directory costs an open file, and
 * without one the class is "not found" in the middle of the run. Jars are opened once and kept, so
 * asking for a class that exists nowhere opens all of them now.
 */
final class ClassPreloader {
    private ClassPreloader() {
    }

    /**
     * Loads (without initialising) every class in the directories of {@code classPath} and opens
     * every jar on it.
     *
     * @param classPath a class path string
     * @return how many classes were loaded
     */
    static int loadAll(String classPath) {
        ClassLoader loader = ClassPreloader.class.getClassLoader();
        int loaded = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path root = Path.of(entry);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                    String name = root.relativize(p).toString().replace(File.separatorChar, '.');
                    name = name.substring(0, name.length() - ".class".length());
                    if (name.endsWith("module-info") || name.endsWith("package-info")) {
                        continue;
                    }
                    try {
                        Class.forName(name, false, loader);
                        loaded++;
                    } catch (ClassNotFoundException | LinkageError e) {
                        // a class that cannot load here will not be used either
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            Class.forName("dev.fiberio.reliability.NoSuchClassAnywhere", false, loader);
        } catch (ClassNotFoundException expected) {
            // every jar on the class path has been opened looking for it
        }
        return loaded;
    }
}
