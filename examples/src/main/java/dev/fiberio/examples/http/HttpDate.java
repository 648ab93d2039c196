package dev.fiberio.examples.http;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The {@code Date} header value (RFC 9110 IMF-fixdate), formatted at most once per second and shared
 * by all connections. Benign race: two threads may format the same second; both results are equal.
 */
final class HttpDate {
    private static volatile Cached cached = new Cached(-1, new byte[0]);

    private record Cached(long second, byte[] bytes) {
    }

    private HttpDate() {
    }

    /** The current date as ASCII bytes; do not modify the array. */
    static byte[] now() {
        long second = System.currentTimeMillis() / 1000;
        Cached c = cached;
        if (c.second != second) {
            String s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
            c = new Cached(second, s.getBytes(StandardCharsets.US_ASCII));
            cached = c;
        }
        return c.bytes;
    }
}
