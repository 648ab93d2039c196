package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Layout of {@code struct rlimit} for {@link LibC#getrlimit} / {@link LibC#setrlimit} (getrlimit(2),
 * {@code <sys/resource.h>}): {@code struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }} with a
 * 64-bit unsigned {@code rlim_t}; {@link LinuxConstants#RLIM_INFINITY} reads as -1.
 */
public final class RLimit {

    /** The layout; member names are the C field names. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rlim_cur"),
            JAVA_LONG.withName("rlim_max"));

    private static final long CUR_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("rlim_cur"));
    private static final long MAX_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("rlim_max"));

    private RLimit() {
    }

    /**
     * Allocates a zeroed {@code struct rlimit}.
     *
     * <p>Owner: {@code arena}; freed when the arena closes.
     *
     * @param arena the arena that owns the memory
     * @return a 16-byte segment
     */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    /**
     * The soft limit.
     *
     * @param rlimit a {@code struct rlimit}
     * @return {@code rlim_cur} (unsigned; {@link LinuxConstants#RLIM_INFINITY} for no limit)
     */
    public static long current(MemorySegment rlimit) {
        return rlimit.get(JAVA_LONG, CUR_OFFSET);
    }

    /**
     * The hard limit.
     *
     * @param rlimit a {@code struct rlimit}
     * @return {@code rlim_max} (unsigned; {@link LinuxConstants#RLIM_INFINITY} for no limit)
     */
    public static long maximum(MemorySegment rlimit) {
        return rlimit.get(JAVA_LONG, MAX_OFFSET);
    }

    /**
     * Writes both limits.
     *
     * @param rlimit a {@code struct rlimit}
     * @param current the soft limit
     * @param maximum the hard limit
     */
    public static void set(MemorySegment rlimit, long current, long maximum) {
        rlimit.set(JAVA_LONG, CUR_OFFSET, current);
        rlimit.set(JAVA_LONG, MAX_OFFSET, maximum);
    }
}
