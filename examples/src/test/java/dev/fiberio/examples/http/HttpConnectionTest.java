package dev.fiberio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.examples.server.BufferPool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The connection's time and memory bounds, on a scripted transport with a fake clock. */
class HttpConnectionTest {
    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final HttpLimits LIMITS = HttpLimits.defaults()
            .withIdleTimeout(Duration.ofSeconds(30)).withRequestTimeout(Duration.ofSeconds(10));

    @Test
    void aClientTricklingOneHeaderByteEveryThreeSecondsIsAnswered408WithinTheRequestTimeout() throws IOException {
        ScriptedTransport t = new ScriptedTransport();
        for (byte b : GET) {
            t.arrive(3 * SECOND, new byte[] {b}); // each byte well within the idle timeout
        }
        long answered = new HttpConnection(t, LIMITS, t.clock()).serve();
        assertEquals(1, answered);
        assertTrue(t.output().startsWith("HTTP/1.1 408 Request Timeout\r\n"), t.output());
        assertTrue(t.output().contains("Connection: close"), t.output());
        // The clock starts at the first wait within the request (after byte 1, at 3 s): cut off at 13 s.
        assertEquals(13 * SECOND, t.now());
    }

    @Test
    void aSlowBodyIsCutOffByTheSameRequestClock() throws IOException {
        ScriptedTransport t = new ScriptedTransport()
                .arrive(0, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 100; i++) {
            t.arrive(2 * SECOND, new byte[] {'x'});
        }
        new HttpConnection(t, LIMITS, t.clock()).serve();
        assertTrue(t.output().startsWith("HTTP/1.1 408 "), t.output());
        assertEquals(10 * SECOND, t.now());
    }

    @Test
    void anIdleConnectionEndsQuietlyAfterTheIdleTimeout() throws IOException {
        ScriptedTransport t = new ScriptedTransport().arrive(0, GET); // one request, then silence
        long answered = new HttpConnection(t, LIMITS, t.clock()).serve();
        assertEquals(1, answered);
        assertTrue(t.output().startsWith("HTTP/1.1 200 OK\r\n"), t.output());
        assertEquals(1, count(t.output(), "HTTP/1.1"), "no 408 for a connection idle between requests");
        assertEquals(30 * SECOND, t.now());
    }

    @Test
    void aRequestThatArrivesInOneReadNeverStartsTheClock() throws IOException {
        HttpLimits tight = LIMITS.withRequestTimeout(Duration.ofNanos(1));
        ScriptedTransport t = new ScriptedTransport().arrive(0, GET).arrive(5 * SECOND, GET).thenEnd();
        assertEquals(2, new HttpConnection(t, tight, t.clock()).serve());
        assertEquals(2, count(t.output(), "HTTP/1.1 200 OK"));
    }

    @Test
    void betweenRequestsAConnectionWaitsHoldingNoArrayAndTheArraysGoBackToThePools() throws IOException {
        BufferPool inputs = new BufferPool(1, HttpConnection.inputSize(LIMITS));
        BufferPool outputs = new BufferPool(1, ResponseBuffer.INITIAL);
        byte[] input = inputs.take();
        byte[] output = outputs.take();
        inputs.give(input);
        outputs.give(output);
        ScriptedTransport t = new ScriptedTransport().arrive(0, GET).arrive(5 * SECOND, GET).arrive(SECOND, GET).thenEnd();
        HttpConnection c = new HttpConnection(t, LIMITS, t.clock(), inputs, outputs);
        List<Boolean> held = new ArrayList<>();
        t.onAwaitReadable(() -> held.add(c.holdsBuffers()));
        assertEquals(3, c.serve());
        assertEquals(3, count(t.output(), "HTTP/1.1 200 OK"));
        assertEquals(List.of(false, false, false, false), held, "arrays held at each wait for a request (3, then the end)");
        // Both pooled arrays were used, and are back: the pools hand out the same ones again.
        assertSame(input, inputs.take());
        assertSame(output, outputs.take());
    }

    @Test
    void aResponseIsWrittenWithTheRequestArrayBackInItsPoolUnlessMoreRequestBytesAreBuffered() throws IOException {
        // On io_uring a write waits for its completion: a request array held meanwhile would be missing
        // from the pool for that long. Two requests arrive together (pipelined), then one more alone.
        byte[] two = new byte[GET.length * 2];
        System.arraycopy(GET, 0, two, 0, GET.length);
        System.arraycopy(GET, 0, two, GET.length, GET.length);
        ScriptedTransport t = new ScriptedTransport().arrive(0, two).arrive(SECOND, GET).thenEnd();
        HttpConnection c = new HttpConnection(t, LIMITS, t.clock(), new BufferPool(1, HttpConnection.inputSize(LIMITS)),
                new BufferPool(1, ResponseBuffer.INITIAL));
        List<Boolean> heldAtWrites = new ArrayList<>();
        t.onWrite(() -> heldAtWrites.add(c.holdsInput()));
        assertEquals(3, c.serve());
        assertEquals(3, count(t.output(), "HTTP/1.1 200 OK"));
        assertEquals(List.of(false, false), heldAtWrites, "the pipelined pair is written once, then the third response");
    }

    @Test
    void aRequestSplitAcrossReadsKeepsItsArrayUntilItIsComplete() throws IOException {
        BufferPool inputs = new BufferPool(1, HttpConnection.inputSize(LIMITS));
        ScriptedTransport t = new ScriptedTransport().arrive(0, Arrays.copyOf(GET, 10))
                .arrive(SECOND, Arrays.copyOfRange(GET, 10, GET.length)).thenEnd();
        HttpConnection c = new HttpConnection(t, LIMITS, t.clock(), inputs, new BufferPool(1, ResponseBuffer.INITIAL));
        assertEquals(1, c.serve());
        assertEquals(1, count(t.output(), "HTTP/1.1 200 OK"));
        assertEquals(2, t.awaits(), "the first bytes and the end are awaited; the rest of the request is read with the array held");
    }

    @Test
    void poolsOfAnotherSizeAreRefused() {
        BufferPool wrong = new BufferPool(1, 100);
        ScriptedTransport t = new ScriptedTransport();
        assertThrows(IllegalArgumentException.class,
                () -> new HttpConnection(t, LIMITS, wrong, new BufferPool(1, ResponseBuffer.INITIAL)));
        assertThrows(IllegalArgumentException.class,
                () -> new HttpConnection(t, LIMITS, new BufferPool(1, HttpConnection.inputSize(LIMITS)), wrong));
    }

    @Test
    void pipelinedResponsesAreWrittenInBoundedBatches() throws IOException {
        ScriptedTransport t = new ScriptedTransport();
        byte[] many = GET.clone();
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 15_000) {
            sb.append(new String(many, StandardCharsets.US_ASCII));
        }
        t.arrive(0, sb.toString().getBytes(StandardCharsets.US_ASCII)).thenEnd();
        long answered = new HttpConnection(t, LIMITS, t.clock()).serve();
        assertEquals(answered, count(t.output(), "HTTP/1.1 200 OK"));
        assertTrue(t.writeSizes().size() > 1, "flushed before the input was used up");
        int largest = t.writeSizes().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(largest < HttpConnection.FLUSH_THRESHOLD + 512, "largest write " + largest);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
