package dev.fiberio.examples.http;

import java.io.IOException;

/** The byte stream an {@link HttpConnection} serves: a socket in the server, memory in tests. */
public interface Transport {
    /**
     * Reads up to {@code len} bytes, waiting at most {@code timeoutNanos}.
     *
     * @param b            destination
     * @param off          offset in {@code b}
     * @param len          maximum count, at least 1
     * @param timeoutNanos the longest wait, positive
     * @return bytes read, at least 1, or -1 at end of stream
     * @throws java.net.SocketTimeoutException if nothing arrived in time
     * @throws IOException                     on I/O failure
     */
    int read(byte[] b, int off, int len, long timeoutNanos) throws IOException;

    /**
     * Writes all {@code len} bytes.
     *
     * @param b   source
     * @param off offset in {@code b}
     * @param len count
     * @throws IOException on I/O failure or timeout
     */
    void write(byte[] b, int off, int len) throws IOException;
}
