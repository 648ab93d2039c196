package dev.fiberio.uring;

import static dev.fiberio.uring.ffi.UringConstants.IORING_REGISTER_PBUF_RING;
import static dev.fiberio.uring.ffi.UringConstants.IORING_UNREGISTER_PBUF_RING;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.fiberio.nativeio.CloseGuard;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.uring.ffi.LibUring;
import dev.fiberio.uring.ffi.UringLayouts;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * A ring of provided buffers (IORING_REGISTER_PBUF_RING, Linux 5.19), one per {@link Ring}: receives
 * are submitted with IOSQE_BUFFER_SELECT and group {@link #GROUP}, and the kernel picks a buffer only
 * when data arrives, so a connection waiting in a read holds no receive buffer of its own. The
 * completion names the buffer ({@code flags >> IORING_CQE_BUFFER_SHIFT}); the reader copies out of it
 * and gives it back with {@link #recycle}.
 *
 * <h2>Memory</h2>
 * {@code entries} × {@code bufferSize} bytes of buffers ({@code fiberio.uring.providedBuffers.entries},
 * default 128, a power of two up to 32768; {@code fiberio.uring.providedBuffers.size}, default
 * {@code fiberio.uring.bufferSize}, 16 KiB), plus 16 bytes per entry for the ring: 2 MiB per ring by
 * default, that is per worker. Allocated once, registered once; unregistered when the ring closes after
 * the kernel completed every operation, and freed when the last reader copying out of a buffer left
 * ({@link #guard}); if operations were still in flight when the ring closed, the memory is kept.
 *
 * <h2>Memory order</h2>
 * The application owns the tail, the kernel the head (io_uring_register_buf_ring(3)): an entry is written,
 * then the 16-bit tail is published with a release store. Buffers are given back from any thread (a
 * reader may run anywhere), so the entry write and tail store are under a short owner-less spin lock.
 */
final class BufferRing {
    /** The buffer group id of every ring's buffers (one group per ring). */
    static final int GROUP = 0;
    /** The kernel wants the ring page-aligned; 64 KiB covers every page size Linux uses. */
    static final long RING_ALIGNMENT = 64 * 1024;
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("fiberio.uring.providedBuffers", "true"));
    static final int DEFAULT_ENTRIES = Integer.getInteger("fiberio.uring.providedBuffers.entries", 128);
    static final int DEFAULT_SIZE = Integer.getInteger("fiberio.uring.providedBuffers.size", UringSocket.BUFFER_SIZE);
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(BufferRing.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int entries;
    final int bufferSize;
    private final int mask;
    private final Arena arena;
    private final MemorySegment ring;
    private final MemorySegment buffers;
    /** Readers copying out of a buffer hold it; the memory is freed after the last one left a close. */
    final CloseGuard guard;
    /** Receives that found the ring empty (ENOBUFS) and fell back to a receive into a socket's own buffer. */
    final LongAdder fallbacks = new LongAdder();
    private int tail; // under lock
    @SuppressWarnings("unused")
    private volatile int lock;

    private BufferRing(int entries, int bufferSize) {
        this.entries = entries;
        this.bufferSize = bufferSize;
        this.mask = entries - 1;
        // Owner: this buffer ring (shared arena): closed by the guard's action once the ring was unregistered
        // and no reader copies out of it any more.
        arena = Arena.ofShared();
        ring = arena.allocate(UringLayouts.BUF_SIZE * entries, RING_ALIGNMENT);
        buffers = arena.allocate((long) entries * bufferSize, 64);
        guard = new CloseGuard(arena::close);
    }

    /**
     * Allocates a ring of {@code entries} buffers of {@code bufferSize} bytes, fills it and registers it
     * with the io_uring instance {@code ringFd}.
     *
     * @return the registered ring
     * @throws IOException if the kernel refused it (the memory is freed then)
     * @throws IllegalArgumentException if the sizes are out of range
     */
    static BufferRing register(int ringFd, int entries, int bufferSize) throws IOException {
        if (entries < 1 || entries > 32768 || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("provided-buffer ring entries must be a power of two from 1 to 32768: " + entries);
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("provided-buffer size must be positive: " + bufferSize);
        }
        BufferRing b = new BufferRing(entries, bufferSize);
        for (int bid = 0; bid < entries; bid++) {
            b.put(bid, bid);
        }
        b.tail = entries;
        SHORT.setRelease(b.ring, UringLayouts.BUF_RING_TAIL, (short) b.tail);
        // Owner: this call (confined arena): the kernel reads the registration argument during the call only.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(UringLayouts.BUF_REG);
            reg.set(JAVA_LONG, UringLayouts.BUF_REG.byteOffset(groupElement("ring_addr")), b.ring.address());
            reg.set(JAVA_INT, UringLayouts.BUF_REG.byteOffset(groupElement("ring_entries")), entries);
            reg.set(JAVA_SHORT, UringLayouts.BUF_REG.byteOffset(groupElement("bgid")), (short) GROUP);
            int r = LibUring.register(ringFd, IORING_REGISTER_PBUF_RING, reg, 1);
            if (r < 0) {
                b.arena.close();
                throw Errno.toException("io_uring_register(IORING_REGISTER_PBUF_RING)", -r);
            }
        }
        return b;
    }

    /** Writes the entry at ring index {@code index} for buffer {@code bid}. */
    private void put(int index, int bid) {
        long at = (long) (index & mask) * UringLayouts.BUF_SIZE;
        ring.set(JAVA_LONG, at + UringLayouts.BUF_ADDR, buffers.address() + (long) bid * bufferSize);
        ring.set(JAVA_INT, at + UringLayouts.BUF_LEN, bufferSize);
        ring.set(JAVA_SHORT, at + UringLayouts.BUF_BID, (short) bid);
    }

    /**
     * The memory of buffer {@code bid}. Only between {@code guard.acquire()} and {@code release()}.
     *
     * @param bid a buffer id from a completion
     * @return its {@link #bufferSize} bytes
     */
    MemorySegment buffer(int bid) {
        return buffers.asSlice((long) bid * bufferSize, bufferSize);
    }

    /**
     * Gives buffer {@code bid} back to the kernel. Each id a completion handed out is given back once.
     * Nothing happens if the ring was closed (its memory is gone or going).
     *
     * @param bid a buffer id from a completion
     */
    void recycle(int bid) {
        if (bid < 0 || bid >= entries) {
            throw new IllegalArgumentException("no such provided buffer: " + bid);
        }
        if (!guard.acquire()) {
            return;
        }
        try {
            while (!LOCK.compareAndSet(this, 0, 1)) {
                Thread.onSpinWait();
            }
            try {
                put(tail, bid);
                tail++;
                SHORT.setRelease(ring, UringLayouts.BUF_RING_TAIL, (short) tail); // the entry before the tail covering it
            } finally {
                LOCK.setRelease(this, 0);
            }
        } finally {
            guard.release();
        }
    }

    /**
     * Unregisters the ring from {@code ringFd} (nothing of the kernel's may be in flight any more) and frees
     * the memory once no reader copies out of it.
     */
    void close(int ringFd) {
        // Owner: this call (confined arena): read by the kernel during the call only.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(UringLayouts.BUF_REG);
            reg.set(JAVA_SHORT, UringLayouts.BUF_REG.byteOffset(groupElement("bgid")), (short) GROUP);
            LibUring.register(ringFd, IORING_UNREGISTER_PBUF_RING, reg, 1);
        }
        guard.close();
    }

    @Override
    public String toString() {
        return "BufferRing[" + entries + " x " + bufferSize + " bytes, ENOBUFS fallbacks=" + fallbacks.sum() + "]";
    }
}
