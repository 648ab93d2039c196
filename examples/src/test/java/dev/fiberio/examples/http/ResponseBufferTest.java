package dev.fiberio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseBufferTest {
    /** Records what was written and how. */
    private static final class Recorder implements Transport {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<ByteBuffer[]> gathers = new ArrayList<>();
        int plainWrites;

        @Override
        public int read(byte[] b, int off, int len) {
            return -1;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            plainWrites++;
            bytes.write(b, off, len);
        }

        @Override
        public void write(ByteBuffer[] parts) {
            gathers.add(parts.clone());
            for (ByteBuffer p : parts) {
                bytes.write(p.array(), p.arrayOffset() + p.position(), p.remaining());
                p.position(p.limit());
            }
        }
    }

    @Test
    void smallBodiesAreCopiedIntoOneWrite() throws Exception {
        ResponseBuffer out = new ResponseBuffer();
        byte[] body = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
        out.append(200, "text/plain", body, false, false);
        out.append(200, "text/plain", body, false, false);
        Recorder t = new Recorder();
        out.flushTo(t);
        assertEquals(1, t.plainWrites);
        assertEquals(0, t.gathers.size());
        String text = t.bytes.toString(StandardCharsets.US_ASCII);
        assertEquals(2, text.split("Hello, World!", -1).length - 1);
        assertEquals(0, out.size());
    }

    @Test
    void largeBodiesAreGatheredUncopiedInOrderWithTheHeadsAround() throws Exception {
        byte[] small = "tiny".getBytes(StandardCharsets.US_ASCII);
        byte[] large = new byte[ResponseBuffer.GATHER_MIN + 5000];
        Arrays.fill(large, (byte) 'L');
        byte[] large2 = new byte[ResponseBuffer.GATHER_MIN];
        Arrays.fill(large2, (byte) 'M');

        ResponseBuffer gathering = new ResponseBuffer();
        gathering.append(200, "text/plain", small, false, false);
        gathering.append(200, "application/octet-stream", large, false, false);
        gathering.append(404, "text/plain", small, false, false);
        gathering.append(200, "application/octet-stream", large2, false, true);
        int pending = gathering.size();
        Recorder t = new Recorder();
        gathering.flushTo(t);

        assertEquals(0, t.plainWrites);
        assertEquals(1, t.gathers.size());
        ByteBuffer[] parts = t.gathers.get(0);
        assertSame(large, parts[1].array(), "the large body is sent from its own array");
        assertSame(large2, parts[3].array());
        assertEquals(pending, t.bytes.size());
        assertEquals(0, gathering.size());

        String text = t.bytes.toString(StandardCharsets.US_ASCII);
        int first = text.indexOf("\r\n\r\ntiny");
        int big = text.indexOf("LLLL");
        int notFound = text.indexOf("404 Not Found");
        int big2 = text.indexOf("MMMM");
        assertTrue(0 < first && first < big && big < notFound && notFound < big2, text.substring(0, 200));
        assertTrue(text.endsWith("M".repeat(large2.length)));
        assertTrue(text.contains("Content-Length: " + large.length + "\r\n"));

        // the buffer is reusable after a gathered flush
        gathering.append(200, "text/plain", small, false, false);
        Recorder again = new Recorder();
        gathering.flushTo(again);
        assertEquals(1, again.plainWrites);
        assertArrayEquals(small, Arrays.copyOfRange(again.bytes.toByteArray(), again.bytes.size() - small.length, again.bytes.size()));
    }

    @Test
    void statusAndContentLengthAreWrittenInDecimal() throws Exception {
        ResponseBuffer out = new ResponseBuffer();
        int[] lengths = {0, 1, 9, 10, 99, 100, 1000, 12345};
        for (int n : lengths) {
            out.append(n % 2 == 0 ? 200 : 404, "text/plain", new byte[n], true, false); // HEAD: no body
        }
        Recorder t = new Recorder();
        out.flushTo(t);
        String[] heads = t.bytes.toString(StandardCharsets.US_ASCII).split("\r\n\r\n");
        assertEquals(lengths.length, heads.length);
        for (int i = 0; i < lengths.length; i++) {
            assertTrue(heads[i].startsWith("HTTP/1.1 " + (lengths[i] % 2 == 0 ? "200 OK" : "404 Not Found") + "\r\n"), heads[i]);
            assertTrue(heads[i].endsWith("\r\nContent-Length: " + lengths[i]), heads[i]);
        }
    }
}
