package dev.fiberio.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * Counts this process's open file descriptors (the entries of {@code /proc/self/fd}), to find leaks.
 * Where that directory does not exist (macOS, Windows), counts are -1 and checks pass.
 */
public final class FdCount {
    private static final File PROC_FD = new File("/proc/self/fd");
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

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
     * Asserts that the count is back to at most {@code before}. Some backends release a closed
     * socket's descriptor on their poller thread shortly after {@code close()} returns (the JDK's NIO
     * does), so this polls until the count settles, and fails only if it has not after 10 s.
     *
     * @param before the count taken before the test, or -1
     */
    public static void assertNoLeak(int before) {
        if (before < 0) {
            return;
        }
        long deadline = System.nanoTime() + SETTLE_NANOS;
        int now = count();
        while (now > before && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            Thread.yield();
            now = count();
        }
        assertTrue(now <= before, "file descriptors leaked: " + before + " open before the test, " + now + " after");
    }
}
