package dev.fiberio.examples.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves one HTTP/1.1 connection: keep-alive, pipelining (responses to every complete request in
 * the input are batched into one write), {@code Content-Length} bodies (read and discarded), and
 * error answers (400, 404, 405, 413, 431, 501, 505) after which the connection is closed.
 *
 * <p>Memory per connection is bounded: one input buffer of {@code maxHeadBytes * 2} and the response
 * buffer; bodies are discarded as they stream in, never buffered whole.
 */
public final class HttpConnection {
    static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);

    private final Transport transport;
    private final RequestParser parser;
    private final byte[] in;
    private final ResponseBuffer out = new ResponseBuffer();
    private int start;
    private int limit;

    /**
     * Creates a connection handler.
     *
     * @param transport    the byte stream
     * @param maxHeadBytes largest request head accepted
     * @param maxBodyBytes largest request body accepted
     */
    public HttpConnection(Transport transport, int maxHeadBytes, long maxBodyBytes) {
        this.transport = transport;
        this.parser = new RequestParser(maxHeadBytes, maxBodyBytes);
        this.in = new byte[maxHeadBytes * 2];
    }

    /**
     * Serves requests until the peer closes, asks to close, or sends something invalid.
     *
     * @return the number of requests answered (errors included)
     * @throws IOException when the transport fails (the caller closes it)
     */
    public long serve() throws IOException {
        long answered = 0;
        for (;;) {
            HttpRequest req;
            try {
                req = parser.parse(in, start, limit);
            } catch (HttpException e) {
                byte[] body = e.getMessage().getBytes(StandardCharsets.US_ASCII);
                out.append(e.status(), "text/plain", body, false, true);
                out.flushTo(transport);
                return answered + 1;
            }
            if (req == null) {
                out.flushTo(transport); // about to wait: send what the pipeline produced so far
                if (!fill()) {
                    return answered;
                }
                continue;
            }
            start += req.headLength();
            if (!skipBody(req.contentLength())) {
                return answered;
            }
            answered++;
            respond(req);
            if (!req.keepAlive()) {
                out.flushTo(transport);
                return answered;
            }
        }
    }

    private void respond(HttpRequest req) {
        boolean head = req.method().equals("HEAD");
        boolean close = !req.keepAlive();
        if (!head && !req.method().equals("GET")) {
            out.append(405, "text/plain", "Method Not Allowed".getBytes(StandardCharsets.US_ASCII), false, close);
            return;
        }
        String path = req.target();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        switch (path) {
            case "/", "/plaintext" -> out.append(200, "text/plain", PLAINTEXT, head, close);
            case "/json" -> out.append(200, "application/json", JSON, head, close);
            default -> out.append(404, "text/plain", "Not Found".getBytes(StandardCharsets.US_ASCII), head, close);
        }
    }

    /** Reads more input, compacting first; false at end of stream. */
    private boolean fill() throws IOException {
        if (start == limit) {
            start = limit = 0;
        } else if (limit == in.length) {
            System.arraycopy(in, start, in, 0, limit - start);
            limit -= start;
            start = 0;
        }
        int n = transport.read(in, limit, in.length - limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }

    /** Discards {@code length} body bytes, reading as needed; false if the stream ended first. */
    private boolean skipBody(long length) throws IOException {
        long remaining = length;
        for (;;) {
            long buffered = limit - start;
            if (buffered >= remaining) {
                start += (int) remaining;
                return true;
            }
            remaining -= buffered;
            start = limit = 0;
            int n = transport.read(in, 0, in.length);
            if (n < 0) {
                return false;
            }
            limit = n;
        }
    }
}
