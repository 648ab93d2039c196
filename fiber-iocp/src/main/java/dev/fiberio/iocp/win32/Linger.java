package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The {@code linger} structure (winsock2.h: {@code u_short l_onoff; u_short l_linger;}, 4 bytes),
 * the value of {@link Win32Constants#SO_LINGER}. {@code l_onoff != 0 && l_linger == 0} makes
 * closesocket abortive (the peer sees a reset). Accessors are plain.
 */
public final class Linger {

    /** The layout of {@code linger}. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("l_onoff"),
            JAVA_SHORT.withName("l_linger"))
            .withName("linger");

    private static final long ONOFF = LAYOUT.byteOffset(groupElement("l_onoff"));
    private static final long LINGER = LAYOUT.byteOffset(groupElement("l_linger"));

    private Linger() {
    }

    /**
     * Fills a linger struct.
     *
     * @param linger a 4-byte segment
     * @param enabled {@code l_onoff}
     * @param seconds {@code l_linger}, 0..65535
     */
    public static void set(MemorySegment linger, boolean enabled, int seconds) {
        if (seconds < 0 || seconds > 0xFFFF) {
            throw new IllegalArgumentException("linger seconds out of u_short range: " + seconds);
        }
        linger.set(JAVA_SHORT, ONOFF, (short) (enabled ? 1 : 0));
        linger.set(JAVA_SHORT, LINGER, (short) seconds);
    }

    /**
     * Plain read of {@code l_onoff}.
     *
     * @param linger a linger struct
     * @return whether lingering is on
     */
    public static boolean enabled(MemorySegment linger) {
        return linger.get(JAVA_SHORT, ONOFF) != 0;
    }

    /**
     * Plain read of {@code l_linger}.
     *
     * @param linger a linger struct
     * @return the linger time in seconds
     */
    public static int seconds(MemorySegment linger) {
        return Short.toUnsignedInt(linger.get(JAVA_SHORT, LINGER));
    }
}
