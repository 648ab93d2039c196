package dev.fiberio.examples.http;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The byte stream an {@link HttpConnection} serves: a socket in the server, memory in tests. */
public interface Transport {
    /**
     * Reads up to {@code len} bytes, waiting as long as the transport itself allows.
     *
     * @param b   destination
     * @param off offset in {@code b}
     * @param len maximum count, at least 1
     * @return bytes read, at least 1, or -1 at end of stream
     * @throws IOException on I/O failure or timeout
     */
    int read(byte[] b, int off, int len) throws IOException;

    /**
     * Reads up to {@code len} bytes, waiting at most {@code timeoutNanos}. The connection calls this
     * one, so that a slow request is cut off on time. By default the timeout is ignored and
     * {@link #read(byte[], int, int)} waits as the transport allows; the connection then still checks
     * its deadlines between reads, so a trickling client is cut off at its next byte after the deadline.
     *
     * @param b            destination
     * @param off          offset in {@code b}
     * @param len          maximum count, at least 1
     * @param timeoutNanos the longest wait, positive
     * @return bytes read, at least 1, or -1 at end of stream
     * @throws java.net.SocketTimeoutException if nothing arrived in time
     * @throws IOException                     on I/O failure
     */
    default int read(byte[] b, int off, int len, long timeoutNanos) throws IOException {
        return read(b, off, len);
    }

    /**
     * Waits, holding no buffer, until a read would not wait (bytes or the end of the stream have
     * arrived), at most {@code timeoutNanos}; it may rarely return early, and the read that follows then
     * waits. A connection calls it between requests, so that an idle one holds no read buffer. By
     * default it returns at once and the read waits instead.
     *
     * @param timeoutNanos the longest wait, positive
     * @throws java.net.SocketTimeoutException if nothing arrived in time
     * @throws IOException                     on I/O failure
     */
    default void awaitReadable(long timeoutNanos) throws IOException {
    }

    /**
     * Writes all {@code len} bytes.
     *
     * @param b   source
     * @param off offset in {@code b}
     * @param len count
     * @throws IOException on I/O failure or timeout
     */
    void write(byte[] b, int off, int len) throws IOException;

    /**
     * Writes all remaining bytes of {@code parts}, in order, advancing their positions; a socket
     * gathers them into as few system calls as it can. By default, one buffer after the other.
     *
     * @param parts the buffers, each backed by an array
     * @throws IOException on I/O failure or timeout
     */
    default void write(ByteBuffer[] parts) throws IOException {
        for (ByteBuffer p : parts) {
            write(p.array(), p.arrayOffset() + p.position(), p.remaining());
            p.position(p.limit());
        }
    }
}
