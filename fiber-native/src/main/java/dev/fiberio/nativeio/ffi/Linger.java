package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Layout of {@code struct linger}, the value of the {@link LinuxConstants#SO_LINGER} option
 * (socket(7), {@code <sys/socket.h>}): {@code struct linger { int l_onoff; int l_linger; }}.
 */
public final class Linger {

    /** The layout; member names are the C field names. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("l_onoff"),
            JAVA_INT.withName("l_linger"));

    private static final long ONOFF_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("l_onoff"));
    private static final long LINGER_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("l_linger"));

    private Linger() {
    }

    /**
     * Allocates a zeroed {@code struct linger}.
     *
     * <p>Owner: {@code arena}; freed when the arena closes.
     *
     * @param arena the arena that owns the memory
     * @return an 8-byte segment
     */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    /**
     * Whether lingering is on.
     *
     * @param linger a {@code struct linger}
     * @return {@code l_onoff != 0}
     */
    public static boolean enabled(MemorySegment linger) {
        return linger.get(JAVA_INT, ONOFF_OFFSET) != 0;
    }

    /**
     * The linger time.
     *
     * @param linger a {@code struct linger}
     * @return {@code l_linger}, in seconds
     */
    public static int seconds(MemorySegment linger) {
        return linger.get(JAVA_INT, LINGER_OFFSET);
    }

    /**
     * Writes both fields.
     *
     * @param linger a {@code struct linger}
     * @param enabled the value of {@code l_onoff}
     * @param seconds the value of {@code l_linger}
     */
    public static void set(MemorySegment linger, boolean enabled, int seconds) {
        linger.set(JAVA_INT, ONOFF_OFFSET, enabled ? 1 : 0);
        linger.set(JAVA_INT, LINGER_OFFSET, seconds);
    }
}
