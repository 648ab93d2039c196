package dev.fiberio.examples.server;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded pool of equally sized byte arrays shared by a server's connections, so that a connection
 * holds a read buffer only while it has data to handle (see {@code FiberSocket.tryRead}). Lock-free
 * (a CAS per slot; no {@code ReentrantLock}, which fiber code must not use across a suspension), and
 * allocation-free once warm: {@link #take()} allocates only when every pooled array is in use, and
 * {@link #give} drops an array when the pool is full.
 */
public final class BufferPool {
    private final AtomicReferenceArray<byte[]> slots;
    private final int bufferSize;

    /**
     * Creates an empty pool.
     *
     * @param capacity   the most arrays kept, at least 1
     * @param bufferSize the size of every array, at least 1
     */
    public BufferPool(int capacity, int bufferSize) {
        if (capacity < 1 || bufferSize < 1) {
            throw new IllegalArgumentException("capacity and bufferSize must be at least 1: " + capacity + ", " + bufferSize);
        }
        this.slots = new AtomicReferenceArray<>(capacity);
        this.bufferSize = bufferSize;
    }

    /**
     * An array of {@link #bufferSize()} bytes, pooled or new; its contents are undefined.
     *
     * @return the array, owned by the caller until {@link #give}n back
     */
    public byte[] take() {
        for (int i = 0; i < slots.length(); i++) {
            byte[] b = slots.getPlain(i);
            if (b != null && slots.compareAndSet(i, b, null)) {
                return b;
            }
        }
        return new byte[bufferSize];
    }

    /**
     * Returns an array taken from this pool; the caller must not use it afterwards.
     *
     * @param b the array
     * @throws IllegalArgumentException if its size is not {@link #bufferSize()}
     */
    public void give(byte[] b) {
        if (b.length != bufferSize) {
            throw new IllegalArgumentException("an array of " + b.length + " bytes is not from this pool of " + bufferSize);
        }
        for (int i = 0; i < slots.length(); i++) {
            if (slots.getPlain(i) == null && slots.compareAndSet(i, null, b)) {
                return;
            }
        }
    }

    /**
     * The size of the pool's arrays.
     *
     * @return bytes per array
     */
    public int bufferSize() {
        return bufferSize;
    }
}
