package dev.fiberio.examples.http;

import java.io.IOException;

/** The byte stream an {@link HttpConnection} serves: a socket in the server, memory in tests. */
public interface Transport {
    /**
     * Reads up to {@code len} bytes.
     *
     * @param b   destination
     * @param off offset in {@code b}
     * @param len maximum count
     * @return bytes read, at least 1, or -1 at end of stream
     * @throws IOException on I/O failure or timeout
     */
    int read(byte[] b, int off, int len) throws IOException;

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
