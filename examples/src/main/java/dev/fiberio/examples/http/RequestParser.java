package dev.fiberio.examples.http;

import java.nio.charset.StandardCharsets;

/**
 * Parses an HTTP/1.x request head from bytes (RFC 9112): request line, header fields, and the framing
 * headers the server acts on ({@code Content-Length}, {@code Transfer-Encoding}, {@code Connection}).
 * Stateless; {@link #parse} either returns a request, returns {@code null} when more bytes are
 * needed, or throws {@link HttpException} with the status to answer (400, 431, 413, 501, 505).
 */
public final class RequestParser {
    private final int maxHeadBytes;
    private final long maxBodyBytes;

    /**
     * Creates a parser with limits.
     *
     * @param maxHeadBytes largest request line + headers accepted (431 beyond)
     * @param maxBodyBytes largest body accepted (413 beyond)
     */
    public RequestParser(int maxHeadBytes, long maxBodyBytes) {
        this.maxHeadBytes = maxHeadBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Parses the request head at {@code buf[start, end)}.
     *
     * @param buf   the bytes
     * @param start where the request begins
     * @param end   end of the valid bytes
     * @return the request, or null if the head is not complete yet
     * @throws HttpException if the request is malformed or too large
     */
    public HttpRequest parse(byte[] buf, int start, int end) throws HttpException {
        int headEnd = findHeadEnd(buf, start, end);
        if (headEnd < 0) {
            if (end - start > maxHeadBytes) {
                throw new HttpException(431, "Request header fields too large");
            }
            return null;
        }
        int headLength = headEnd - start;
        if (headLength > maxHeadBytes) {
            throw new HttpException(431, "Request header fields too large");
        }
        // Request line: method SP target SP version CRLF
        int lineEnd = indexOfCrlf(buf, start, headEnd);
        int sp1 = indexOf(buf, start, lineEnd, (byte) ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(buf, sp1 + 1, lineEnd, (byte) ' ');
        if (sp1 <= start || sp2 <= sp1 + 1 || indexOf(buf, sp2 + 1, lineEnd, (byte) ' ') >= 0) {
            throw new HttpException(400, "Malformed request line");
        }
        for (int i = start; i < sp1; i++) {
            if (!isTokenChar(buf[i])) {
                throw new HttpException(400, "Malformed method");
            }
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            if (buf[i] <= 0x20 || buf[i] == 0x7f) {
                throw new HttpException(400, "Malformed request target");
            }
        }
        String method = method(buf, start, sp1);
        String target = ascii(buf, sp1 + 1, sp2);
        boolean http11;
        if (regionEquals(buf, sp2 + 1, lineEnd, "HTTP/1.1")) {
            http11 = true;
        } else if (regionEquals(buf, sp2 + 1, lineEnd, "HTTP/1.0")) {
            http11 = false;
        } else if (lineEnd - (sp2 + 1) == 8 && regionEquals(buf, sp2 + 1, sp2 + 6, "HTTP/")) {
            throw new HttpException(505, "HTTP version not supported");
        } else {
            throw new HttpException(400, "Malformed HTTP version");
        }
        boolean keepAlive = http11;
        long contentLength = -1;
        boolean chunked = false;
        boolean sawHost = false;
        int pos = lineEnd + 2;
        while (pos < headEnd - 2) {
            int eol = indexOfCrlf(buf, pos, headEnd);
            int colon = indexOf(buf, pos, eol, (byte) ':');
            if (colon <= pos) {
                throw new HttpException(400, "Malformed header field");
            }
            for (int i = pos; i < colon; i++) {
                if (!isTokenChar(buf[i])) {
                    throw new HttpException(400, "Malformed header field name");
                }
            }
            int vs = colon + 1;
            int ve = eol;
            while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t')) {
                vs++;
            }
            while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) {
                ve--;
            }
            for (int i = vs; i < ve; i++) {
                byte b = buf[i];
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    throw new HttpException(400, "Invalid character in header value");
                }
            }
            if (nameEquals(buf, pos, colon, "content-length")) {
                long v = parseLength(buf, vs, ve);
                if (contentLength >= 0 && contentLength != v) {
                    throw new HttpException(400, "Conflicting Content-Length");
                }
                contentLength = v;
            } else if (nameEquals(buf, pos, colon, "transfer-encoding")) {
                if (!regionEqualsIgnoreCase(buf, vs, ve, "identity")) {
                    chunked = true;
                }
            } else if (nameEquals(buf, pos, colon, "connection")) {
                if (containsTokenIgnoreCase(buf, vs, ve, "close")) {
                    keepAlive = false;
                } else if (containsTokenIgnoreCase(buf, vs, ve, "keep-alive")) {
                    keepAlive = true;
                }
            } else if (nameEquals(buf, pos, colon, "host")) {
                if (sawHost) {
                    throw new HttpException(400, "Duplicate Host header");
                }
                sawHost = true;
            }
            pos = eol + 2;
        }
        if (http11 && !sawHost) {
            throw new HttpException(400, "Missing Host header");
        }
        if (chunked) {
            if (contentLength >= 0) {
                throw new HttpException(400, "Both Transfer-Encoding and Content-Length");
            }
            throw new HttpException(501, "Transfer-Encoding not supported; send Content-Length");
        }
        if (contentLength > maxBodyBytes) {
            throw new HttpException(413, "Request body too large");
        }
        return new HttpRequest(method, target, http11, keepAlive, Math.max(contentLength, 0), headLength);
    }

    private static long parseLength(byte[] buf, int from, int to) throws HttpException {
        if (from == to || to - from > 18) {
            throw new HttpException(400, "Malformed Content-Length");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                throw new HttpException(400, "Malformed Content-Length");
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Index just past CRLF CRLF, or -1. A bare LF is rejected when found (request smuggling guard). */
    private static int findHeadEnd(byte[] buf, int start, int end) throws HttpException {
        for (int i = start; i < end; i++) {
            if (buf[i] == '\n') {
                if (i == start || buf[i - 1] != '\r') {
                    throw new HttpException(400, "Bare LF in request head");
                }
                if (i >= start + 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
                    return i + 1;
                }
            }
        }
        return -1;
    }

    private static int indexOfCrlf(byte[] buf, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                return i;
            }
        }
        return to - 2;
    }

    private static int indexOf(byte[] buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isTokenChar(byte b) {
        if (b <= 0x20 || b >= 0x7f) {
            return false;
        }
        return "\"(),/:;<=>?@[\\]{}".indexOf(b) < 0;
    }

    /** Methods parsed to these constants: no String per request for them. */
    private static final String[] COMMON_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"};

    /** The method as a String: one of {@link #COMMON_METHODS}, or a new String for any other token. */
    private static String method(byte[] buf, int from, int to) {
        for (String m : COMMON_METHODS) {
            if (regionEquals(buf, from, to, m)) {
                return m;
            }
        }
        return ascii(buf, from, to);
    }

    private static String ascii(byte[] buf, int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean regionEquals(byte[] buf, int from, int to, String s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (buf[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean regionEqualsIgnoreCase(byte[] buf, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if (Character.toLowerCase((char) (buf[from + i] & 0xff)) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean nameEquals(byte[] buf, int from, int to, String lower) {
        return regionEqualsIgnoreCase(buf, from, to, lower);
    }

    private static boolean containsTokenIgnoreCase(byte[] buf, int from, int to, String lower) {
        int i = from;
        while (i < to) {
            int comma = indexOf(buf, i, to, (byte) ',');
            int e = comma < 0 ? to : comma;
            int s = i;
            while (s < e && buf[s] == ' ') {
                s++;
            }
            int t = e;
            while (t > s && buf[t - 1] == ' ') {
                t--;
            }
            if (regionEqualsIgnoreCase(buf, s, t, lower)) {
                return true;
            }
            i = e + 1;
        }
        return false;
    }
}
