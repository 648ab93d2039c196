package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

/**
 * Layout of {@code struct iovec} (readv(2), {@code <sys/uio.h>}) and accessors for an array of them,
 * as passed to {@link LibC#readv} and {@link LibC#writev}.
 *
 * <pre>{@code
 * struct iovec { void *iov_base; size_t iov_len; }   // 16 bytes on 64-bit Linux
 * }</pre>
 *
 * <p>The kernel dereferences {@code iov_base}, so each buffer must be native memory that stays
 * alive until the call returns: {@link #set} refuses heap segments.
 */
public final class IoVec {

    /** The layout; member names are the C field names. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));
    /** {@code sizeof(struct iovec)}. */
    public static final long SIZE = LAYOUT.byteSize();

    private static final long BASE_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("iov_base"));
    private static final long LEN_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("iov_len"));

    private IoVec() {
    }

    /**
     * Allocates a zeroed array of iovecs.
     *
     * <p>Owner: {@code arena}; freed when the arena closes.
     *
     * @param arena the arena that owns the memory
     * @param count the number of elements, at least 1
     * @return a segment of {@code count * SIZE} bytes
     */
    public static MemorySegment allocateArray(Arena arena, int count) {
        Objects.requireNonNull(arena, "arena");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        return arena.allocate(MemoryLayout.sequenceLayout(count, LAYOUT));
    }

    /**
     * Points one element at a native buffer.
     *
     * @param array an iovec array
     * @param index the element's index
     * @param buffer a native segment; the whole segment is described ({@code iov_len = byteSize()})
     * @throws IllegalArgumentException if {@code buffer} is a heap segment
     */
    public static void set(MemorySegment array, int index, MemorySegment buffer) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("iovec buffers must be native memory");
        }
        long base = index * SIZE;
        array.set(ADDRESS, base + BASE_OFFSET, buffer);
        array.set(JAVA_LONG, base + LEN_OFFSET, buffer.byteSize());
    }

    /**
     * Reads the buffer address of one element.
     *
     * @param array an iovec array
     * @param index the element's index
     * @return the raw {@code iov_base} address
     */
    public static long base(MemorySegment array, int index) {
        return array.get(ADDRESS, index * SIZE + BASE_OFFSET).address();
    }

    /**
     * Reads the buffer length of one element.
     *
     * @param array an iovec array
     * @param index the element's index
     * @return {@code iov_len}
     */
    public static long length(MemorySegment array, int index) {
        return array.get(JAVA_LONG, index * SIZE + LEN_OFFSET);
    }
}
