package dev.fiberio.bench.servers;

import io.netty.util.AsciiString;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The {@code Date} header value for the Netty HTTP server, formatted at most once per second as
 * fiberio's example does (RFC 9110 IMF-fixdate). Benign race: two threads may format the same second;
 * both results are equal.
 */
final class DateHeader {
    private static volatile Cached cached = new Cached(-1, AsciiString.EMPTY_STRING);

    private record Cached(long second, AsciiString value) {
    }

    private DateHeader() {
    }

    /** The current date. */
    static AsciiString now() {
        long second = System.currentTimeMillis() / 1000;
        Cached c = cached;
        if (c.second != second) {
            c = new Cached(second, AsciiString.cached(
                    DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))));
            cached = c;
        }
        return c.value;
    }
}
