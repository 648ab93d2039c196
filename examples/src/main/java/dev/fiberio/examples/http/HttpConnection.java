package dev.fiberio.examples.http;

import dev.fiberio.examples.server.BufferPool;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Serves one HTTP/1.1 connection: keep-alive, pipelining (responses to the complete requests in the
 * input are batched into one write), {@code Content-Length} bodies (read and discarded), and error
 * answers (400, 404, 405, 408, 413, 431, 501, 505) after which the connection is closed.
 *
 * <p>Memory per connection is bounded: one input buffer of {@code maxHeadBytes * 2}, and a response
 * buffer that is flushed once it holds {@link #FLUSH_THRESHOLD} bytes; bodies are discarded as they
 * stream in, never buffered whole. Both arrays come from pools shared by the server's connections and
 * go back whenever nothing of a request is buffered: between requests a connection waits for the next
 * bytes holding no array.
 *
 * <p>Time is bounded too ({@link HttpLimits}): between requests a read waits at most the idle
 * timeout, after which the connection ends quietly; once a request has begun (its first bytes are
 * buffered and more are needed) the whole request must arrive within the request timeout, or the
 * answer is 408 and the connection ends. The request clock starts at the first wait for more bytes of
 * a request, so a request that arrives in one read never starts it.
 */
public final class HttpConnection {
    static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);
    /** Pipelined responses are written once this many bytes are waiting, even if more requests are buffered. */
    static final int FLUSH_THRESHOLD = 16 * 1024;

    private final Transport transport;
    private final RequestParser parser;
    private final LongSupplier clock;
    private final long idleNanos;
    private final long requestNanos;
    /** Where {@link #in} comes from; it goes back whenever nothing of a request is buffered. */
    private final BufferPool inputs;
    /** Request bytes [start, limit); null between requests, while the connection waits without a buffer. */
    private byte[] in;
    private final ResponseBuffer out;
    private int start;
    private int limit;
    /** Whether a request has begun and its clock runs; its deadline is {@link #requestDeadline}. */
    private boolean requestStarted;
    private long requestDeadline;

    /**
     * Creates a connection handler with the given sizes and the default timeouts.
     *
     * @param transport    the byte stream
     * @param maxHeadBytes largest request head accepted
     * @param maxBodyBytes largest request body accepted
     */
    public HttpConnection(Transport transport, int maxHeadBytes, long maxBodyBytes) {
        this(transport, HttpLimits.defaults().withSizes(maxHeadBytes, maxBodyBytes));
    }

    /**
     * Creates a connection handler.
     *
     * @param transport the byte stream
     * @param limits    sizes and timeouts
     */
    public HttpConnection(Transport transport, HttpLimits limits) {
        this(transport, limits, System::nanoTime);
    }

    /**
     * Creates a connection handler that holds buffers only while it handles a request: between requests
     * it gives them back to the server's pools and waits for the next bytes without one
     * ({@link Transport#awaitReadable}), so an idle keep-alive connection costs its fiber and socket,
     * not 20 KiB of arrays.
     *
     * @param transport the byte stream
     * @param limits    sizes and timeouts
     * @param inputs    request arrays, of {@link #inputSize(HttpLimits)} bytes
     * @param outputs   response arrays, of at least {@value ResponseBuffer#INITIAL} bytes
     * @throws IllegalArgumentException if a pool's arrays have another size
     */
    public HttpConnection(Transport transport, HttpLimits limits, BufferPool inputs, BufferPool outputs) {
        this(transport, limits, System::nanoTime, inputs, outputs);
    }

    /** With a clock of {@link System#nanoTime()} values, for tests that control time. */
    HttpConnection(Transport transport, HttpLimits limits, LongSupplier clock) {
        this(transport, limits, clock, new BufferPool(1, inputSize(limits)), new BufferPool(1, ResponseBuffer.INITIAL));
    }

    HttpConnection(Transport transport, HttpLimits limits, LongSupplier clock, BufferPool inputs, BufferPool outputs) {
        if (inputs.bufferSize() != inputSize(limits)) {
            throw new IllegalArgumentException("request arrays must have " + inputSize(limits) + " bytes: " + inputs.bufferSize());
        }
        this.transport = transport;
        this.parser = new RequestParser(limits.maxHeadBytes(), limits.maxBodyBytes());
        this.clock = clock;
        this.idleNanos = limits.idleTimeout().toNanos();
        this.requestNanos = limits.requestTimeout().toNanos();
        this.inputs = inputs;
        this.out = new ResponseBuffer(outputs);
    }

    /**
     * The size of a connection's request array: room for a largest head and as much again of what
     * follows it (a body's start, pipelined requests).
     *
     * @param limits the server's limits
     * @return bytes per request array
     */
    public static int inputSize(HttpLimits limits) {
        return limits.maxHeadBytes() * 2;
    }

    /** Whether it holds a request or response array now (tests). */
    boolean holdsBuffers() {
        return in != null || out.holdsArray();
    }

    /**
     * Serves requests until the peer closes, asks to close, idles out, or sends something invalid or
     * too slowly.
     *
     * @return the number of requests answered (errors included)
     * @throws IOException when the transport fails (the caller closes it)
     */
    public long serve() throws IOException {
        long answered = 0;
        try {
            for (;;) {
                HttpRequest req = start < limit ? parser.parse(in, start, limit) : null;
                if (req == null) {
                    if (start == limit) {
                        giveBackInput(); // nothing of a request buffered: not held while the write below waits
                    }
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
                requestStarted = false; // the request is complete: its clock stops
                answered++;
                respond(req);
                if (!req.keepAlive() || out.size() >= FLUSH_THRESHOLD) {
                    out.flushTo(transport);
                }
                if (!req.keepAlive()) {
                    return answered;
                }
            }
        } catch (HttpException e) {
            byte[] body = e.getMessage().getBytes(StandardCharsets.US_ASCII);
            out.append(e.status(), "text/plain", body, false, true);
            out.flushTo(transport);
            return answered + 1;
        } finally {
            giveBackBuffers();
        }
    }

    /** Gives back the arrays; called with nothing of a request buffered and no response pending. */
    private void giveBackBuffers() {
        giveBackInput();
        out.release();
    }

    /** Gives back the request array; called with nothing of a request buffered. */
    private void giveBackInput() {
        if (in != null) {
            inputs.give(in);
            in = null;
        }
        start = limit = 0;
    }

    /** Whether it holds a request array now (tests). */
    boolean holdsInput() {
        return in != null;
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

    /** Reads more input, compacting first; false at end of stream or after an idle timeout. */
    private boolean fill() throws IOException, HttpException {
        if (start == limit) {
            // Between requests: wait for the next one holding no array.
            giveBackBuffers();
            try {
                transport.awaitReadable(idleNanos);
            } catch (SocketTimeoutException e) {
                return false; // idle: end quietly
            }
            in = inputs.take();
        } else if (limit == in.length) {
            System.arraycopy(in, start, in, 0, limit - start);
            limit -= start;
            start = 0;
        }
        int n = receive(in, limit, in.length - limit, start < limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }

    /** Discards {@code length} body bytes, reading as needed; false if the stream ended first. */
    private boolean skipBody(long length) throws IOException, HttpException {
        long remaining = length;
        for (;;) {
            long buffered = limit - start;
            if (buffered >= remaining) {
                start += (int) remaining;
                return true;
            }
            remaining -= buffered;
            start = limit = 0;
            int n = receive(in, 0, in.length, true); // the request's array: a head was just parsed from it
            if (n < 0) {
                return false;
            }
            limit = n;
        }
    }

    /**
     * One read within the connection's time limits.
     *
     * @param midRequest whether the bytes belong to a request that has begun (its clock then starts or
     *                   keeps running); otherwise the connection is idle between requests
     * @return bytes read, or -1 at end of stream or when an idle connection timed out
     * @throws HttpException 408 when a begun request did not arrive in time
     */
    private int receive(byte[] b, int off, int len, boolean midRequest) throws IOException, HttpException {
        long timeout = idleNanos;
        if (midRequest) {
            long now = clock.getAsLong();
            if (!requestStarted) {
                requestStarted = true;
                requestDeadline = now + requestNanos;
            }
            long left = requestDeadline - now;
            if (left <= 0) {
                throw requestTimedOut();
            }
            timeout = Math.min(timeout, left);
        }
        try {
            return transport.read(b, off, len, timeout);
        } catch (SocketTimeoutException e) {
            if (midRequest) {
                throw requestTimedOut();
            }
            return -1; // idle between requests: end quietly
        }
    }

    private static HttpException requestTimedOut() {
        return new HttpException(408, "Request timeout");
    }
}
