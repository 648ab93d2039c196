package dev.fiberio.nativeio.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Asserts that a test class leaves as many entries in {@code /proc/self/fd} as it found: every fd a
 * test opens must be closed by the end of the class. The failure message lists the entries that
 * appeared or vanished, with their targets.
 */
public final class FdCountCheck implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FdCountCheck.class);
    private static final String KEY = "fdsAtStart";
    private static final Path FD_DIRECTORY = Path.of("/proc/self/fd");

    static {
        // The JDK's NativePRNG opens /dev/random and /dev/urandom on first use (e.g. by @TempDir)
        // and keeps them for the JVM's life; open them before any count, so they are not a "leak".
        new SecureRandom().nextBytes(new byte[1]);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(KEY, openFds());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        List<String> before = context.getStore(NAMESPACE).get(KEY, List.class);
        List<String> after = openFds();
        Set<String> opened = new HashSet<>(after);
        before.forEach(opened::remove);
        Set<String> closed = new HashSet<>(before);
        after.forEach(closed::remove);
        assertEquals(before.size(), after.size(), () -> "entries in /proc/self/fd after " + context.getDisplayName()
                + "; opened " + opened + ", closed " + closed);
    }

    /** This process's open fds as "number -> target" (the listing's own directory fd included each time). */
    public static List<String> openFds() {
        try (Stream<Path> entries = Files.list(FD_DIRECTORY)) {
            return entries.map(FdCountCheck::describe).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(Path entry) {
        try {
            return entry.getFileName() + " -> " + Files.readSymbolicLink(entry);
        } catch (IOException e) {
            return entry.getFileName() + " -> (gone)";
        }
    }
}
