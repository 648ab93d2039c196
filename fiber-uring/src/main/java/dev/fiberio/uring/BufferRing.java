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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A ring of provided buffers (IORING_REGISTER_PBUF_RING, Linux 5.19), one per {@link Ring}: receives
 * are submitted with IOSQE_BUFFER_SELECT and group {@link #GROUP}, and the kernel picks a buffer only
 * when data arrives, so a connection waiting in a read holds no receive buffer of its own. The
 * completion names the buffer ({@code flags >> IORING_CQE_BUFFER_SHIFT}); the reader copies out of it
 * and gives it back with {@link #recycle}.
 *
 * <h2>Memory, and growth</h2>
 * It starts with {@code fiberio.uring.providedBuffers.entries} buffers (default 128, a power of two) of
 * {@code fiberio.uring.providedBuffers.size} bytes (default {@code fiberio.uring.bufferSize}, 16 KiB):
 * 2 MiB per ring, that is per worker. A receive that finds the ring empty (ENOBUFS) falls back to a
 * buffer of its own and reports it ({@link #foundEmpty}); for every that many such receives the ring
 * grows by as many buffers again, up to {@code fiberio.uring.providedBuffers.max} (default 1024, a
 * power of two up to 32768: the ring's entries, 16 bytes each, registered at that size from the start).
 * So a ring serving bursts of N receives at once settles near N buffers instead of failing the excess
 * every burst, each failure costing a completion, a wake-up and a second receive; it does not shrink.
 * All of it is allocated from one arena, registered once; unregistered when the ring closes after the
 * kernel completed every operation, and freed when the last reader copying out of a buffer left
 * ({@link #guard}); if operations were still in flight when the ring closed, the memory is kept.
 *
 * <h2>Buffer ids</h2>
 * Buffers are allocated in chunks of the initial count: buffer {@code bid} is number
 * {@code bid % chunk} of chunk {@code bid / chunk}. A chunk is published (release) before any entry
 * naming its buffers is, and a reader learns a bid only from a completion the kernel posted after it
 * read that entry, so the reader's acquire load of the chunk finds it.
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
    /** The most buffers a ring grows to: a power of two, at least {@link #DEFAULT_ENTRIES}. */
    static final int DEFAULT_MAX = Math.max(Integer.getInteger("fiberio.uring.providedBuffers.max", 1024), DEFAULT_ENTRIES);
    static final int DEFAULT_SIZE = Integer.getInteger("fiberio.uring.providedBuffers.size", UringSocket.BUFFER_SIZE);
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();
    private static final VarHandle CHUNK = MethodHandles.arrayElementVarHandle(MemorySegment[].class);
    private static final VarHandle LOCK;
    private static final VarHandle GROWING;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(BufferRing.class, "lock", int.class);
            GROWING = MethodHandles.lookup().findVarHandle(BufferRing.class, "growing", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The ring's entries: the most buffers it can hold (a power of two). */
    final int capacity;
    /** Buffers per allocation, the initial count (a power of two). */
    final int chunk;
    /** log2 of {@link #chunk}: buffer {@code bid} is number {@code bid & (chunk - 1)} of chunk {@code bid >>> chunkShift}. */
    private final int chunkShift;
    final int bufferSize;
    private final int mask;
    private final Arena arena;
    private final MemorySegment ring;
    /** The buffers' memory, {@link #chunk} buffers per element; an element is written once (release). */
    private final MemorySegment[] chunks;
    /** Buffers handed to the kernel so far (written under lock, read by {@link #recycle}'s check). */
    private volatile int provided;
    /** Readers copying out of a buffer hold it; the memory is freed after the last one left a close. */
    final CloseGuard guard;
    /** Receives that found the ring empty (ENOBUFS) and fell back to a receive into a socket's own buffer. */
    final LongAdder fallbacks = new LongAdder();
    /** Receives that found the ring empty, counted to decide growth (one chunk per {@link #chunk} of them). */
    private final AtomicInteger emptyFinds = new AtomicInteger();
    private int tail; // under lock
    @SuppressWarnings("unused")
    private volatile int lock;
    /** 1 while one thread adds a chunk (others skip: their receive already fell back). */
    @SuppressWarnings("unused")
    private volatile int growing;

    private BufferRing(int chunk, int capacity, int bufferSize) {
        this.capacity = capacity;
        this.chunk = chunk;
        this.chunkShift = Integer.numberOfTrailingZeros(chunk);
        this.bufferSize = bufferSize;
        this.mask = capacity - 1;
        // Owner: this buffer ring (shared arena): closed by the guard's action once the ring was unregistered
        // and no reader copies out of it any more; every chunk is allocated from it.
        arena = Arena.ofShared();
        ring = arena.allocate(UringLayouts.BUF_SIZE * capacity, RING_ALIGNMENT);
        chunks = new MemorySegment[capacity / chunk];
        chunks[0] = arena.allocate((long) chunk * bufferSize, 64);
        guard = new CloseGuard(arena::close);
    }

    /**
     * A ring filled like a registered one but never shown to a kernel (stress tests of its own logic).
     *
     * @see #register(int, int, int, int)
     */
    static BufferRing unregistered(int entries, int max, int bufferSize) {
        return filled(entries, max, bufferSize);
    }

    /** Allocates a ring of {@code max} entries and fills it with {@code entries} buffers (the first chunk). */
    private static BufferRing filled(int entries, int max, int bufferSize) {
        if (max < 1 || max > 32768 || Integer.bitCount(max) != 1) {
            throw new IllegalArgumentException("provided-buffer ring size must be a power of two from 1 to 32768: " + max);
        }
        if (entries < 1 || entries > max || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("provided buffers must be a power of two from 1 to the ring's size "
                    + max + ": " + entries);
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("provided-buffer size must be positive: " + bufferSize);
        }
        BufferRing b = new BufferRing(entries, max, bufferSize);
        for (int bid = 0; bid < entries; bid++) {
            b.put(bid, bid);
        }
        b.tail = entries;
        b.provided = entries;
        SHORT.setRelease(b.ring, UringLayouts.BUF_RING_TAIL, (short) b.tail);
        return b;
    }

    /** The published tail (tests; after the writers finished). */
    int publishedTail() {
        return Short.toUnsignedInt((short) SHORT.getAcquire(ring, UringLayouts.BUF_RING_TAIL));
    }

    /** The buffer id in the entry at ring index {@code index} (tests; after the writers finished). */
    int entryBid(int index) {
        return Short.toUnsignedInt(ring.get(JAVA_SHORT, (long) (index & mask) * UringLayouts.BUF_SIZE + UringLayouts.BUF_BID));
    }

    /** The address in the entry at ring index {@code index} (tests; after the writers finished). */
    long entryAddress(int index) {
        return ring.get(JAVA_LONG, (long) (index & mask) * UringLayouts.BUF_SIZE + UringLayouts.BUF_ADDR);
    }

    /** Frees the memory of a ring made by {@link #unregistered} (tests). */
    void free() {
        guard.close();
    }

    /**
     * Allocates {@code entries} buffers of {@code bufferSize} bytes, registers a ring of {@code max}
     * entries with the io_uring instance {@code ringFd} and fills it with them; it may grow to {@code max}.
     *
     * @return the registered ring
     * @throws IOException if the kernel refused it (the memory is freed then)
     * @throws IllegalArgumentException if the sizes are out of range
     */
    static BufferRing register(int ringFd, int entries, int max, int bufferSize) throws IOException {
        BufferRing b = filled(entries, max, bufferSize);
        // Owner: this call (confined arena): the kernel reads the registration argument during the call only.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(UringLayouts.BUF_REG);
            reg.set(JAVA_LONG, UringLayouts.BUF_REG.byteOffset(groupElement("ring_addr")), b.ring.address());
            reg.set(JAVA_INT, UringLayouts.BUF_REG.byteOffset(groupElement("ring_entries")), max);
            reg.set(JAVA_SHORT, UringLayouts.BUF_REG.byteOffset(groupElement("bgid")), (short) GROUP);
            int r = LibUring.register(ringFd, IORING_REGISTER_PBUF_RING, reg, 1);
            if (r < 0) {
                b.arena.close();
                throw Errno.toException("io_uring_register(IORING_REGISTER_PBUF_RING)", -r);
            }
        }
        return b;
    }

    /** Writes the entry at ring index {@code index} for buffer {@code bid} (its chunk published). */
    private void put(int index, int bid) {
        long at = (long) (index & mask) * UringLayouts.BUF_SIZE;
        ring.set(JAVA_LONG, at + UringLayouts.BUF_ADDR, buffer(bid).address());
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
        MemorySegment c = (MemorySegment) CHUNK.getAcquire(chunks, bid >>> chunkShift);
        return c.asSlice((long) (bid & (chunk - 1)) * bufferSize, bufferSize);
    }

    /** Buffers the ring has now (it grows; tests and diagnostics). */
    int buffers() {
        return provided;
    }

    /**
     * A receive found the ring empty (ENOBUFS) and falls back to a buffer of its own: counted, and once per
     * {@link #chunk} of them the ring grows by a chunk while below its size. Any thread.
     */
    void foundEmpty() {
        fallbacks.increment();
        if ((emptyFinds.getAndIncrement() & (chunk - 1)) == 0) {
            grow();
        }
    }

    /** Adds a chunk of buffers at the tail; nothing if the ring is full-size, closed, or growing already. */
    private void grow() {
        if (provided >= capacity || !GROWING.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            if (!guard.acquire()) {
                return; // closed: the arena is gone or going
            }
            try {
                int first = provided; // a multiple of chunk, below capacity (both powers of two)
                MemorySegment added = arena.allocate((long) chunk * bufferSize, 64);
                CHUNK.setRelease(chunks, first >>> chunkShift, added); // before any entry names its buffers
                while (!LOCK.compareAndSet(this, 0, 1)) {
                    Thread.onSpinWait();
                }
                try {
                    for (int i = 0; i < chunk; i++) {
                        put(tail++, first + i);
                    }
                    provided = first + chunk;
                    SHORT.setRelease(ring, UringLayouts.BUF_RING_TAIL, (short) tail);
                } finally {
                    LOCK.setRelease(this, 0);
                }
            } finally {
                guard.release();
            }
        } finally {
            GROWING.setRelease(this, 0);
        }
    }

    /**
     * Gives buffer {@code bid} back to the kernel. Each id a completion handed out is given back once.
     * Nothing happens if the ring was closed (its memory is gone or going).
     *
     * @param bid a buffer id from a completion
     */
    void recycle(int bid) {
        if (bid < 0 || bid >= provided) {
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
        return "BufferRing[" + provided + " (of " + capacity + ") x " + bufferSize + " bytes, ENOBUFS fallbacks="
                + fallbacks.sum() + "]";
    }
}
