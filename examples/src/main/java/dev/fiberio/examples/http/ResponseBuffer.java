package dev.fiberio.examples.http;

import dev.fiberio.examples.server.BufferPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Responses waiting to be written. Pipelined requests append their responses here and the connection
 * flushes once, when it is about to wait for more input: one write for many responses.
 *
 * <p>Heads and small bodies are copied into one array. A body of {@link #GATHER_MIN} bytes or more is
 * not copied: the flush hands the pending bytes to the transport as a list of parts (the array's
 * stretches and the bodies, in order), which a socket sends with one gathering write. Below that size
 * a copy costs less than describing one more part (the benchmark's 13-byte body is copied).
 */
final class ResponseBuffer {
    private static final byte[] SERVER_AND_DATE = "\r\nServer: fiberio\r\nDate: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_TYPE = "\r\nContent-Type: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "\r\nContent-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "\r\nConnection: close".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ALLOW = "\r\nAllow: GET, HEAD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Bodies at least this long are sent from the caller's array instead of being copied. */
    static final int GATHER_MIN = 1024;
    /** The size of a response buffer's first array. */
    static final int INITIAL = 4096;

    /** Where the first array of a response comes from, and goes back to after the flush. */
    private final BufferPool pool;
    /** The bytes of the pending responses; null while none are pending and {@link #release()} gave it back. */
    private byte[] buf;
    private int size;
    /** Parts before {@code buf[partStart, size)}, when a large body was appended; else empty. */
    private final List<ByteBuffer> parts = new ArrayList<>();
    private int partStart;
    private int gathered;

    /** A buffer with a private array of {@link #INITIAL} bytes. */
    ResponseBuffer() {
        this(new BufferPool(1, INITIAL));
    }

    /**
     * A buffer that takes its array from {@code pool} when a response is appended and gives it back at
     * {@link #release()}.
     *
     * @param pool arrays of at least {@link #INITIAL} bytes
     */
    ResponseBuffer(BufferPool pool) {
        if (pool.bufferSize() < INITIAL) {
            throw new IllegalArgumentException("response arrays must hold at least " + INITIAL + " bytes: " + pool.bufferSize());
        }
        this.pool = pool;
    }

    /**
     * Gives the array back to the pool if nothing is pending (a grown array is dropped instead): a
     * connection waiting for its next request then holds none.
     */
    void release() {
        if (buf != null && size == 0 && parts.isEmpty()) {
            if (buf.length == pool.bufferSize()) {
                pool.give(buf);
            }
            buf = null;
        }
    }

    /** Whether it holds an array (tests). */
    boolean holdsArray() {
        return buf != null;
    }

    /** Appends a complete response. */
    void append(int status, String contentType, byte[] body, boolean head, boolean close) {
        ascii("HTTP/1.1 ");
        decimal(status);
        ascii(" ");
        ascii(reason(status));
        bytes(SERVER_AND_DATE);
        bytes(HttpDate.now());
        bytes(CONTENT_TYPE);
        ascii(contentType);
        bytes(CONTENT_LENGTH);
        decimal(body.length);
        if (status == 405) {
            bytes(ALLOW);
        }
        if (close) {
            bytes(CLOSE);
        }
        bytes(END);
        if (!head) {
            if (body.length >= GATHER_MIN) {
                // buf[partStart, size) stays as it is until the flush: later appends only grow size
                parts.add(ByteBuffer.wrap(buf, partStart, size - partStart));
                parts.add(ByteBuffer.wrap(body));
                partStart = size;
                gathered += body.length;
            } else {
                bytes(body);
            }
        }
    }

    /** Bytes waiting to be written. */
    int size() {
        return size + gathered;
    }

    void flushTo(Transport t) throws IOException {
        if (parts.isEmpty()) {
            if (size > 0) {
                int n = size;
                size = 0;
                t.write(buf, 0, n);
            }
            return;
        }
        if (size > partStart) {
            parts.add(ByteBuffer.wrap(buf, partStart, size - partStart));
        }
        ByteBuffer[] all = parts.toArray(new ByteBuffer[0]);
        parts.clear();
        size = 0;
        partStart = 0;
        gathered = 0;
        t.write(all);
    }

    /** A non-negative int in decimal digits, without a String per call (two per response otherwise). */
    private void decimal(int v) {
        int digits = 1;
        for (int rest = v / 10; rest > 0; rest /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = size + digits - 1; i >= size; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        size += digits;
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[size++] = (byte) s.charAt(i);
        }
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    private void ensure(int extra) {
        if (buf == null) {
            buf = pool.take();
        }
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }
}
