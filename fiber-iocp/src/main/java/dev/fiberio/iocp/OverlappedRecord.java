package dev.fiberio.iocp;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.iocp.win32.Overlapped;
import dev.fiberio.iocp.win32.WsaBuf;
import dev.fiberio.nativeio.completion.OperationRecord;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The native record of one direction of a socket (its read, its write, or one posted accept): the
 * completion core's {@link OperationRecord} (its ownership word decides who may touch the memory and who
 * frees it) over IOCP's layout: an OVERLAPPED, the small out-parameters of the overlapped calls and the
 * operation's own data buffer.
 *
 * <h2>Native layout (one block, 8-aligned)</h2>
 * <pre>
 * offset  size      member
 * 0       32        OVERLAPPED (zeroed before each operation)
 * 32      4         DWORD count of a synchronous success (lpNumberOfBytesRecvd / Sent, lpdwBytesReceived)
 * 36      4         DWORD flags of WSARecv (in/out)
 * 40      16        one WSABUF (Winsock copies it during the call)
 * 56      capacity  data: the receive target, the send source, the AcceptEx output, the ConnectEx sockaddr
 * </pre>
 * The kernel writes the data asynchronously, so an operation never gets the caller's memory: a read
 * receives here and copies out, a write copies in and sends from here. The memory is released (handed
 * back to its {@link RecordPool}) by the core's ownership rule: never while an operation's completion is
 * not dequeued yet. A completion identifies its record by the OVERLAPPED's address, compared (never
 * dereferenced) by the {@link CompletionDispatcher}.
 */
final class OverlappedRecord extends OperationRecord {
    /** Offset of the OVERLAPPED. */
    static final long OVERLAPPED = 0;
    private static final long SYNC_BYTES = 32;
    private static final long FLAGS = 36;
    private static final long WSABUF = 40;
    /** Offset of the data buffer. */
    static final long DATA = 56;

    private final MemorySegment overlapped;
    private final MemorySegment syncBytes;
    private final MemorySegment flags;
    private final MemorySegment wsaBuf;
    private final MemorySegment data;

    /**
     * Allocates a record with {@code capacity} bytes of data buffer.
     *
     * @param capacity the data buffer size
     */
    OverlappedRecord(int capacity) {
        // Owner: this record. The automatic arena frees the block once the record is unreachable,
        // which happens only after its release (its pool dropped it, or the pool itself is gone):
        // the kernel is done with the memory by then (the core's ownership rule).
        super(Arena.ofAuto().allocate(DATA + capacity, 8));
        MemorySegment memory = memory();
        overlapped = memory.asSlice(OVERLAPPED, Overlapped.LAYOUT.byteSize());
        syncBytes = memory.asSlice(SYNC_BYTES, 4);
        flags = memory.asSlice(FLAGS, 4);
        wsaBuf = memory.asSlice(WSABUF, WsaBuf.LAYOUT.byteSize());
        data = memory.asSlice(DATA, capacity);
    }

    /** The OVERLAPPED (for the overlapped call and CancelIoEx). */
    MemorySegment overlapped() {
        return overlapped;
    }

    /** The raw address of the OVERLAPPED, as completion entries report it. */
    long overlappedAddress() {
        return overlapped.address();
    }

    /** The DWORD that receives the byte count of a synchronous success. */
    MemorySegment syncBytes() {
        return syncBytes;
    }

    /** Plain read of the synchronous byte count. */
    int syncBytesPlain() {
        return syncBytes.get(JAVA_INT, 0);
    }

    /** The flags DWORD of WSARecv. */
    MemorySegment flags() {
        return flags;
    }

    /** The one-entry WSABUF array. */
    MemorySegment wsaBuf() {
        return wsaBuf;
    }

    /** The data buffer. */
    MemorySegment data() {
        return data;
    }

    /** The data buffer's size. */
    int capacity() {
        return (int) data.byteSize();
    }

    /** Prepares the OVERLAPPED for a new operation (zeroed, as the doc page asks) and the WSABUF for {@code length} data bytes. */
    void prepare(int length) {
        prepare(0, length);
    }

    /**
     * Like {@link #prepare(int)}, the WSABUF covering {@code length} bytes from {@code offset} in the data
     * buffer (a datagram record keeps the sender's address ahead of the payload).
     */
    void prepare(long offset, int length) {
        Overlapped.clear(overlapped);
        syncBytes.set(JAVA_INT, 0, 0);
        flags.set(JAVA_INT, 0, 0);
        WsaBuf.set(wsaBuf, 0, data.asSlice(offset, length));
    }
}
