package dev.fiberio.epoll.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Locale;
import java.util.Objects;

/**
 * Layout of {@code struct epoll_event} and accessors for an array of them, as filled by {@link
 * LibEpoll#epollWait}.
 *
 * <pre>{@code
 * struct epoll_event { uint32_t events; epoll_data_t data; }  // data: a union read here as uint64_t
 * }</pre>
 *
 * <p>The kernel's UAPI header {@code <linux/eventpoll.h>} (and glibc's {@code <sys/epoll.h>}) declare
 * the struct {@code __attribute__((packed))} on x86_64 only: there it is 12 bytes with {@code data}
 * at offset 4; on aarch64 and other 64-bit targets it has natural alignment, 16 bytes with {@code
 * data} at offset 8. The layout is chosen from {@code os.arch} once, at class initialisation. The
 * accessors use unaligned value layouts, so they work for both shapes and for any segment.
 *
 * <p>The accessors are allocation-free and bounds-checked by the segment; {@code data} is the 64-bit
 * token registered with {@link LibEpoll#epollCtl}.
 */
public final class EpollEvent {

    /** The layout for this JVM's architecture. Member names are the C field names. */
    public static final StructLayout LAYOUT = layoutFor(System.getProperty("os.arch"));
    /** {@code sizeof(struct epoll_event)}: 12 on x86_64, 16 elsewhere. */
    public static final long SIZE = LAYOUT.byteSize();
    /** {@code offsetof(struct epoll_event, events)}: 0. */
    public static final long EVENTS_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    /** {@code offsetof(struct epoll_event, data)}: 4 on x86_64, 8 elsewhere. */
    public static final long DATA_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("data"));

    private EpollEvent() {
    }

    /**
     * The layout of {@code struct epoll_event} on the given architecture (package-private so tests
     * can check both shapes on any machine).
     *
     * @param osArch a value of the {@code os.arch} property
     * @return the packed 12-byte layout for x86_64 ({@code amd64}), else the natural 16-byte layout
     */
    static StructLayout layoutFor(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return MemoryLayout.structLayout(
                    JAVA_INT_UNALIGNED.withName("events"),
                    JAVA_LONG_UNALIGNED.withName("data"));
        }
        return MemoryLayout.structLayout(
                JAVA_INT_UNALIGNED.withName("events"),
                MemoryLayout.paddingLayout(4),
                JAVA_LONG_UNALIGNED.withName("data")).withByteAlignment(8);
    }

    /**
     * Allocates a zeroed array of events.
     *
     * <p>Owner: {@code arena}; the memory is freed when the arena is closed (or, for an automatic
     * arena, after the segment becomes unreachable). A poller allocates one array for its lifetime.
     *
     * @param arena the arena that owns the memory
     * @param count the number of events, at least 1
     * @return a segment of {@code count * SIZE} bytes
     */
    public static MemorySegment allocateArray(Arena arena, int count) {
        Objects.requireNonNull(arena, "arena");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        return arena.allocate(SIZE * count, LAYOUT.byteAlignment());
    }

    /**
     * The number of whole events that fit into a segment.
     *
     * @param array an events array
     * @return {@code array.byteSize() / SIZE}, capped at {@link Integer#MAX_VALUE}
     */
    public static int capacity(MemorySegment array) {
        return (int) Math.min(Integer.MAX_VALUE, array.byteSize() / SIZE);
    }

    /**
     * Reads the event bits of one element.
     *
     * @param array an events array
     * @param index the element's index
     * @return the {@code events} field: a combination of {@code LinuxConstants.EPOLL*} bits
     */
    public static int events(MemorySegment array, int index) {
        return array.get(JAVA_INT_UNALIGNED, index * SIZE + EVENTS_OFFSET);
    }

    /**
     * Reads the user data of one element.
     *
     * @param array an events array
     * @param index the element's index
     * @return the {@code data} field as a 64-bit value (the token registered with the fd)
     */
    public static long data(MemorySegment array, int index) {
        return array.get(JAVA_LONG_UNALIGNED, index * SIZE + DATA_OFFSET);
    }

    /**
     * Writes one element.
     *
     * @param array an events array
     * @param index the element's index
     * @param events the event bits
     * @param data the 64-bit user data
     */
    public static void set(MemorySegment array, int index, int events, long data) {
        long base = index * SIZE;
        array.set(JAVA_INT_UNALIGNED, base + EVENTS_OFFSET, events);
        array.set(JAVA_LONG_UNALIGNED, base + DATA_OFFSET, data);
    }
}
