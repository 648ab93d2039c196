package dev.fiberio.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * This process's open file descriptors, read from {@code /proc/self/fd}: a count for leak checks and
 * "number → target" pairs ({@code socket:[inode]}, {@code anon_inode:[eventpoll]}...) for messages and
 * for recognising a descriptor in another process.
 */
final class ProcessFds {
    private static final Path FD_DIRECTORY = Path.of("/proc/self/fd");

    private ProcessFds() {
    }

    /**
     * Open descriptors now (the listing's own directory descriptor included, so two counts compare).
     *
     * @return the count
     */
    static int count() {
        return snapshot().size();
    }

    /**
     * Descriptor number → link target, for every open descriptor.
     *
     * @return a sorted map
     */
    static Map<Integer, String> snapshot() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(FD_DIRECTORY)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                fds.put(Integer.parseInt(p.getFileName().toString()), target(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    /**
     * The entries of {@code after} that are not in {@code before}, for failure messages.
     *
     * @param before an earlier snapshot
     * @param after  a later one
     * @return "n -> target" strings
     */
    static List<String> added(Map<Integer, String> before, Map<Integer, String> after) {
        List<String> out = new ArrayList<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd))) {
                out.add(fd + " -> " + target);
            }
        });
        return out;
    }

    private static String target(Path entry) {
        try {
            return Files.readSymbolicLink(entry).toString();
        } catch (IOException e) {
            return "(gone)"; // the listing's own descriptor, closed by the time it is read
        }
    }
}
