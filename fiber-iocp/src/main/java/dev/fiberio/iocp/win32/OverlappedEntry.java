package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The {@code OVERLAPPED_ENTRY} structure (minwinbase.h, x64: 32 bytes), one record of the array
 * that {@code GetQueuedCompletionStatusEx} fills, with plain indexed accessors.
 *
 * <p>Layout (minwinbase.h): {@code ULONG_PTR lpCompletionKey}, {@code LPOVERLAPPED lpOverlapped},
 * {@code ULONG_PTR Internal} (documented as reserved; it carries the request's NTSTATUS, and is 0
 * for packets posted with PostQueuedCompletionStatus), {@code DWORD dwNumberOfBytesTransferred},
 * then 4 bytes of tail padding.
 *
 * <p>Memory ordering: plain; the array is written by the dequeuing call on the calling thread.
 */
public final class OverlappedEntry {

    /** The x64 layout of {@code OVERLAPPED_ENTRY}. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("lpCompletionKey"),
            ADDRESS.withName("lpOverlapped"),
            JAVA_LONG.withName("Internal"),
            JAVA_INT.withName("dwNumberOfBytesTransferred"),
            MemoryLayout.paddingLayout(4))
            .withName("OVERLAPPED_ENTRY");

    private static final long KEY = LAYOUT.byteOffset(groupElement("lpCompletionKey"));
    private static final long OVERLAPPED = LAYOUT.byteOffset(groupElement("lpOverlapped"));
    private static final long INTERNAL = LAYOUT.byteOffset(groupElement("Internal"));
    private static final long BYTES = LAYOUT.byteOffset(groupElement("dwNumberOfBytesTransferred"));

    private OverlappedEntry() {
    }

    /**
     * Bytes needed for an array of entries.
     *
     * @param count number of entries
     * @return {@code count * 32}
     */
    public static long arraySize(int count) {
        return LAYOUT.byteSize() * count;
    }

    /**
     * Plain read of {@code lpCompletionKey} of entry {@code index}.
     *
     * @param entries the array given to GetQueuedCompletionStatusEx
     * @param index entry index, below the number of entries removed
     * @return the completion key of the file handle, or the key given to PostQueuedCompletionStatus
     */
    public static long completionKey(MemorySegment entries, int index) {
        return entries.get(JAVA_LONG, LAYOUT.byteSize() * index + KEY);
    }

    /**
     * Plain read of {@code lpOverlapped} of entry {@code index}, as a raw address.
     *
     * @param entries the array given to GetQueuedCompletionStatusEx
     * @param index entry index
     * @return the address of the OVERLAPPED passed to the completed call (0 for a posted packet without one)
     */
    public static long overlapped(MemorySegment entries, int index) {
        return entries.get(ADDRESS, LAYOUT.byteSize() * index + OVERLAPPED).address();
    }

    /**
     * Plain read of the NTSTATUS in {@code Internal} (low 32 bits) of entry {@code index}.
     *
     * @param entries the array given to GetQueuedCompletionStatusEx
     * @param index entry index
     * @return the NTSTATUS, {@link Win32Constants#STATUS_SUCCESS} when the I/O succeeded
     */
    public static int status(MemorySegment entries, int index) {
        return entries.get(JAVA_INT, LAYOUT.byteSize() * index + INTERNAL);
    }

    /**
     * Plain read of {@code dwNumberOfBytesTransferred} of entry {@code index}.
     *
     * @param entries the array given to GetQueuedCompletionStatusEx
     * @param index entry index
     * @return the byte count (a DWORD)
     */
    public static int bytesTransferred(MemorySegment entries, int index) {
        return entries.get(JAVA_INT, LAYOUT.byteSize() * index + BYTES);
    }

    /** Writes entry {@code index} the way the kernel does. For the kernel's role only: used by {@code FakeWin32}. */
    static void set(MemorySegment entries, int index, long key, long overlapped, int status, int bytes) {
        long base = LAYOUT.byteSize() * index;
        entries.set(JAVA_LONG, base + KEY, key);
        entries.set(ADDRESS, base + OVERLAPPED, MemorySegment.ofAddress(overlapped));
        entries.set(JAVA_LONG, base + INTERNAL, Integer.toUnsignedLong(status));
        entries.set(JAVA_INT, base + BYTES, bytes);
    }
}
