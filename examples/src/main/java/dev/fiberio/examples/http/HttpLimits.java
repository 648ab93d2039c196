package dev.fiberio.examples.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What one HTTP connection may take from the server: sizes (so memory per connection is bounded) and
 * times (so a client that stalls, trickles or never reads is cut off).
 *
 * @param maxHeadBytes   largest request line + headers accepted (431 beyond); the connection's input
 *                       buffer is twice this
 * @param maxBodyBytes   largest request body accepted (413 beyond); bodies are discarded as they stream
 * @param idleTimeout    how long a keep-alive connection may wait for the first byte of its next request
 *                       (then it is closed quietly), and the longest wait for any one read
 * @param requestTimeout how long a request may take to arrive, head and body, once it has begun: the
 *                       defence against slowloris clients that trickle a byte every few seconds (then
 *                       the server answers 408 and closes)
 * @param writeTimeout   how long one write may wait for a client that does not read (then the
 *                       connection is closed)
 */
public record HttpLimits(int maxHeadBytes, long maxBodyBytes, Duration idleTimeout, Duration requestTimeout,
                         Duration writeTimeout) {
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a size is below 1 or a duration not positive
     */
    public HttpLimits {
        if (maxHeadBytes < 64 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxHeadBytes must be at least 64 and maxBodyBytes not negative");
        }
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(writeTimeout, "writeTimeout");
    }

    /**
     * 8 KiB heads, 1 MiB bodies, 30 s idle, 20 s per request, 30 s per write.
     *
     * @return the defaults
     */
    public static HttpLimits defaults() {
        return new HttpLimits(8 * 1024, 1024 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(30));
    }

    /**
     * A copy with other sizes.
     *
     * @param maxHead largest request head
     * @param maxBody largest request body
     * @return the new limits
     */
    public HttpLimits withSizes(int maxHead, long maxBody) {
        return new HttpLimits(maxHead, maxBody, idleTimeout, requestTimeout, writeTimeout);
    }

    /**
     * A copy with another idle timeout.
     *
     * @param timeout the idle timeout
     * @return the new limits
     */
    public HttpLimits withIdleTimeout(Duration timeout) {
        return new HttpLimits(maxHeadBytes, maxBodyBytes, timeout, requestTimeout, writeTimeout);
    }

    /**
     * A copy with another request timeout.
     *
     * @param timeout the request timeout
     * @return the new limits
     */
    public HttpLimits withRequestTimeout(Duration timeout) {
        return new HttpLimits(maxHeadBytes, maxBodyBytes, idleTimeout, timeout, writeTimeout);
    }

    /**
     * A copy with another write timeout.
     *
     * @param timeout the write timeout
     * @return the new limits
     */
    public HttpLimits withWriteTimeout(Duration timeout) {
        return new HttpLimits(maxHeadBytes, maxBodyBytes, idleTimeout, requestTimeout, timeout);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
