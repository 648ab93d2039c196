package dev.fiberio.epoll;

import dev.fiberio.core.spi.CarrierLocal;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A native buffer per carrier through which sockets move {@code byte[]} and heap-buffer transfers of
 * up to {@link #SIZE} bytes: a read lands here and is copied out, a write is copied in first. This
 * keeps a read or write from allocating (a heap {@code MemorySegment} wrapped around the caller's
 * array costs one or two objects per call and cannot be cached usefully: callers read into pooled or
 * fresh arrays). Copying is cheap next to the system call at these sizes; larger transfers use the
 * caller's memory directly.
 *
 * <p>Used only between two points where the fiber cannot suspend (the system call and the copy), as
 * every {@link CarrierLocal} value must be; freed by the GC with its carrier.
 */
final class TransferScratch {
    /** The largest transfer that is copied; also the buffer's size. */
    static final int SIZE = Integer.getInteger("fiberio.epoll.copyLimit", 16 * 1024);
    /** Room for the iovecs of a gathering write of direct buffers. */
    static final int IOVECS = 64;

    private static final CarrierLocal<TransferScratch> PER_CARRIER = new CarrierLocal<>(TransferScratch::new);

    /** The native buffer. */
    final MemorySegment segment;
    /** The same memory as a buffer, for absolute bulk copies from other buffers. */
    final ByteBuffer buffer;
    /** An iovec array for gathering writes. */
    final MemorySegment iovecs;

    private TransferScratch() {
        // Owner: this instance, i.e. its carrier; freed by the GC after the carrier is gone.
        Arena arena = Arena.ofAuto();
        segment = arena.allocate(SIZE, 64);
        buffer = segment.asByteBuffer();
        iovecs = dev.fiberio.nativeio.ffi.IoVec.allocateArray(arena, IOVECS);
    }

    /** The calling carrier's scratch; valid until the caller next suspends. */
    static TransferScratch current() {
        return PER_CARRIER.get();
    }
}
