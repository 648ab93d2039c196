package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The {@code OVERLAPPED} structure (minwinbase.h, x64: 32 bytes) and plain accessors for the
 * members the kernel writes.
 *
 * <p>Layout, from the SDK header and the "OVERLAPPED structure (minwinbase.h)" doc page:
 * {@code ULONG_PTR Internal} (the NTSTATUS of the request: {@code STATUS_PENDING} while in flight,
 * the final status once complete), {@code ULONG_PTR InternalHigh} (bytes transferred), a union of
 * {@code {DWORD Offset; DWORD OffsetHigh}} and {@code PVOID Pointer}, and {@code HANDLE hEvent}.
 *
 * <p>Memory ordering: all accessors are plain. The kernel (or {@code FakeWin32}) writes these
 * members before it queues the completion, so they may be read after the completion was dequeued
 * from the port, or after a call reported a synchronous result; never while the I/O is pending.
 * Ownership: an OVERLAPPED handed to an overlapped call must stay allocated until its completion
 * was dequeued (see the package documentation).
 */
public final class Overlapped {

    /** The x64 layout of {@code OVERLAPPED}. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("Internal"),
            JAVA_LONG.withName("InternalHigh"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(JAVA_INT.withName("Offset"), JAVA_INT.withName("OffsetHigh")),
                    ADDRESS.withName("Pointer")),
            ADDRESS.withName("hEvent"))
            .withName("OVERLAPPED");

    private static final long INTERNAL = LAYOUT.byteOffset(groupElement("Internal"));
    private static final long INTERNAL_HIGH = LAYOUT.byteOffset(groupElement("InternalHigh"));

    private Overlapped() {
    }

    /**
     * Zeroes the structure, as the doc page asks before each use ("initialize any unused members to
     * zero"). Only legal while no I/O uses it.
     *
     * @param overlapped an OVERLAPPED-sized segment
     */
    public static void clear(MemorySegment overlapped) {
        overlapped.asSlice(0, LAYOUT.byteSize()).fill((byte) 0);
    }

    /**
     * Plain read of the request's NTSTATUS: the low 32 bits of {@code Internal} (NTSTATUS is a
     * 32-bit LONG stored in a ULONG_PTR). {@link Win32Constants#STATUS_SUCCESS} on success.
     *
     * @param overlapped the OVERLAPPED of a completed request
     * @return the NTSTATUS, e.g. {@link Win32Constants#STATUS_CANCELLED}
     */
    public static int status(MemorySegment overlapped) {
        return overlapped.get(JAVA_INT, INTERNAL);
    }

    /**
     * Plain read of {@code InternalHigh}: the bytes transferred, set when the request succeeded.
     *
     * @param overlapped the OVERLAPPED of a completed request
     * @return the byte count (a DWORD, so it fits an {@code int} as an unsigned value)
     */
    public static int bytesTransferred(MemorySegment overlapped) {
        return (int) overlapped.get(JAVA_LONG, INTERNAL_HIGH);
    }

    /**
     * Writes the completion result the way the I/O manager does (status zero-extended into
     * {@code Internal}, byte count into {@code InternalHigh}). For the kernel's role only: used by
     * {@code FakeWin32}.
     */
    static void complete(MemorySegment overlapped, int status, int bytes) {
        overlapped.set(JAVA_LONG, INTERNAL, Integer.toUnsignedLong(status));
        overlapped.set(JAVA_LONG, INTERNAL_HIGH, Integer.toUnsignedLong(bytes));
    }
}
