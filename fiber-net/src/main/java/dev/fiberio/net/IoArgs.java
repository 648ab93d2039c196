package dev.fiberio.net;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;

/**
 * Argument checks and the adaptation of {@code byte[]} and {@link ByteBuffer} arguments to the
 * {@link MemorySegment}s the SPI takes, done before any I/O. Heap arrays and heap buffers become heap
 * segments (no copy here; the backend copies or pins), direct buffers native segments.
 */
final class IoArgs {
    private IoArgs() {
    }

    /**
     * Checks an array range.
     *
     * @return {@code b}
     * @throws NullPointerException      if {@code b} is null
     * @throws IndexOutOfBoundsException if the range is not inside {@code b}
     */
    static byte[] checkArray(byte[] b, int off, int len) {
        Objects.requireNonNull(b, "b");
        Objects.checkFromIndexSize(off, len, b.length);
        return b;
    }

    /**
     * Checks a buffer to read into.
     *
     * @throws ReadOnlyBufferException if {@code dst} is read-only
     */
    /**
     * The segment to read into or write from {@code b[off, off+len)}, for paths that take segments
     * (datagrams); stream reads and writes pass the array itself (no allocation per call).
     *
     * @throws NullPointerException      if {@code b} is null
     * @throws IndexOutOfBoundsException if the range is not inside {@code b}
     */
    static MemorySegment ofArray(byte[] b, int off, int len) {
        return MemorySegment.ofArray(checkArray(b, off, len)).asSlice(off, len);
    }

    /**
     * The segment of {@code dst}'s remaining bytes, to read into (datagrams).
     *
     * @throws ReadOnlyBufferException if {@code dst} is read-only
     * @throws IllegalStateException   if {@code dst} belongs to a closed arena
     */
    static MemorySegment readTarget(ByteBuffer dst) {
        checkReadTarget(dst);
        return alive(MemorySegment.ofBuffer(dst));
    }

    static void checkReadTarget(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
    }

    /**
     * The segment of {@code src}'s remaining bytes, to write from.
     *
     * @throws IllegalStateException if {@code src} belongs to a closed arena
     */
    static MemorySegment writeSource(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        return alive(MemorySegment.ofBuffer(src));
    }

    /**
     * Checks a segment to read into.
     *
     * @throws ReadOnlyBufferException if {@code dst} is read-only
     * @throws IllegalStateException   if its arena is closed
     */
    static MemorySegment readTarget(MemorySegment dst) {
        Objects.requireNonNull(dst, "dst");
        alive(dst);
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        return dst;
    }

    /**
     * Checks a segment to write from.
     *
     * @throws IllegalStateException if its arena is closed
     */
    static MemorySegment writeSource(MemorySegment src) {
        Objects.requireNonNull(src, "src");
        return alive(src);
    }

    private static MemorySegment alive(MemorySegment segment) {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the segment's arena is already closed: " + segment);
        }
        return segment;
    }
}
