package dev.fiberio.reliability;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Heap in use after a full collection: the figure that grows when something leaks. */
final class HeapGauge {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private HeapGauge() {
    }

    /**
     * Collects twice (the second pass frees what finalisation-like cleaners released) and reads the heap.
     *
     * @return bytes of heap in use
     */
    static long usedAfterGc() {
        MEMORY.gc();
        MEMORY.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /**
     * Bytes as mebibytes with one decimal, for reports.
     *
     * @param bytes a byte count
     * @return e.g. "12.5 MiB"
     */
    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
