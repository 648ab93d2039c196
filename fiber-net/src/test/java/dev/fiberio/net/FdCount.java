package dev.fiberio.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;

/**
 * Counts this process's open file descriptors (the entries of {@code /proc/self/fd}), to find leaks.
 * Where that directory does not exist (macOS, Windows), counts are -1 and checks pass.
 */
public final class FdCount {
    private static final File PROC_FD = new File("/proc/self/fd");

    private FdCount() {
    }

    /**
     * The number of open descriptors now.
     *
     * @return the count, or -1 where it cannot be counted
     */
    public static int count() {
        String[] entries = PROC_FD.list();
        return entries == null ? -1 : entries.length;
    }

    /**
     * Asserts that the count is back to at most {@code before}: a backend's {@code close()} releases the
     * descriptor before it returns, and a closed scheduler has released those of its I/O machinery.
     *
     * @param before the count taken before the test, or -1
     */
    public static void assertNoLeak(int before) {
        if (before < 0) {
            return;
        }
        int now = count();
        assertTrue(now <= before, "file descriptors leaked: " + before + " open before the test, " + now + " after");
    }
}
