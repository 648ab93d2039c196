package dev.fiberio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestParserTest {
    private final RequestParser parser = new RequestParser(1024, 4096);

    private HttpRequest parse(String s) throws HttpException {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return parser.parse(b, 0, b.length);
    }

    private int status(String s) {
        return assertThrows(HttpException.class, () -> parse(s)).status();
    }

    @Test
    void parsesAKeepAliveGet() throws HttpException {
        HttpRequest r = parse("GET /json?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
        assertEquals("GET", r.method());
        assertEquals("/json?x=1", r.target());
        assertTrue(r.http11());
        assertTrue(r.keepAlive());
        assertEquals(0, r.contentLength());
        assertEquals(48, r.headLength());
    }

    /** Methods are case-sensitive tokens (RFC 9110, 9.1): each comes back exactly as sent. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "GETX", "GE", "M-SEARCH"})
    void theMethodIsTheTokenSent(String method) throws HttpException {
        assertEquals(method, parse(method + " / HTTP/1.1\r\nHost: a\r\n\r\n").method());
    }

    @Test
    void incompleteHeadNeedsMoreBytes() throws HttpException {
        assertNull(parse("GET / HTTP/1.1\r\nHost: a\r\n"));
        assertNull(parse(""));
    }

    @Test
    void connectionHeaderAndVersionDecideKeepAlive() throws HttpException {
        assertFalse(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive());
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, close\r\n\r\n").keepAlive());
    }

    @Test
    void contentLengthIsParsedAndLimited() throws HttpException {
        assertEquals(5, parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n").contentLength());
        assertEquals(413, status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4097\r\n\r\n"));
        assertEquals(400, status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"));
        assertEquals(400, status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"));
        assertEquals(400, status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"));
    }

    @Test
    void oversizedHeadIs431EvenBeforeItEnds() {
        String big = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(2000);
        assertEquals(431, status(big));
        assertEquals(431, status(big + "\r\n\r\n"));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("GARBAGE\r\n\r\n", 400),
                Arguments.of("GET /\r\n\r\n", 400),
                Arguments.of("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", 400),
                Arguments.of("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
                Arguments.of("GET / HTTQ/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost a\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\nHost: a\n\n", 400),
                Arguments.of("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
                Arguments.of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedRequestsGetTheRightStatus(String request, int expected) {
        assertEquals(expected, status(request));
    }

    @Test
    void controlCharacterInAHeaderValueIsRejected() {
        assertEquals(400, status("GET / HTTP/1.1\r\nHost: a\u0001b\r\n\r\n"));
    }

    @Test
    void parsesAtAnOffsetInsideTheBuffer() throws HttpException {
        byte[] b = "xxGET / HTTP/1.1\r\nHost: a\r\n\r\nyy".getBytes(StandardCharsets.ISO_8859_1);
        HttpRequest r = parser.parse(b, 2, b.length - 2);
        assertEquals("/", r.target());
        assertEquals(27, r.headLength());
    }
}
