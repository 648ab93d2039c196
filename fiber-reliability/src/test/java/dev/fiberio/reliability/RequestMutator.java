package dev.fiberio.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Makes HTTP/1.1 request inputs for fuzzing: valid requests (single and pipelined, with and without
 * bodies, near the size limits), the same requests mutated (bytes flipped, inserted, deleted,
 * duplicated, line ends broken, framing headers made contradictory or absurd), and plain garbage.
 */
final class RequestMutator {
    private static final String[] TEMPLATES = {
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "HEAD /plaintext?q=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "GET / HTTP/1.0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /json HTTP/1.1\r\nHost: x\r\n\r\n",
        "PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + "v".repeat(8000) + "\r\n\r\n",
    };
    private static final String[] FRAMING = {
        "Content-Length: 99999999999999999999", "Content-Length: -1", "Content-Length: 1, 2", "Content-Length: abc",
        "Content-Length: 3\r\nContent-Length: 4", "Transfer-Encoding: identity", "Transfer-Encoding: gzip, chunked",
        "Host: a\r\nHost: b", "Connection: close, keep-alive", "X: \u0000", ":", " Host: x", "Host:\tx\t",
    };

    private final SplittableRandom random;

    /**
     * @param random the source of every choice
     */
    RequestMutator(SplittableRandom random) {
        this.random = random;
    }

    /**
     * One input: a quarter valid, half mutated, a quarter garbage.
     *
     * @return the bytes
     */
    byte[] next() {
        int kind = random.nextInt(4);
        if (kind == 0) {
            return template();
        }
        if (kind == 3) {
            byte[] garbage = new byte[random.nextInt(2048)];
            random.nextBytes(garbage);
            return garbage;
        }
        byte[] b = template();
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            b = mutate(b);
        }
        return b;
    }

    private byte[] template() {
        return TEMPLATES[random.nextInt(TEMPLATES.length)].getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] mutate(byte[] b) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(b.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 64);
        switch (random.nextInt(8)) {
            case 0 -> { // flip a byte
                byte[] c = b.clone();
                c[at] = (byte) random.nextInt(256);
                return c;
            }
            case 1 -> { // insert bytes
                out.write(b, 0, at);
                for (int i = random.nextInt(1, 16); i > 0; i--) {
                    out.write(random.nextInt(256));
                }
                out.write(b, at, b.length - at);
            }
            case 2 -> { // delete a range
                int len = random.nextInt(Math.min(32, b.length - at) + 1);
                out.write(b, 0, at);
                out.write(b, at + len, b.length - at - len);
            }
            case 3 -> { // duplicate a range (repeated headers, pipelines)
                int len = random.nextInt(b.length - at + 1);
                out.write(b, 0, at + len);
                out.write(b, at, b.length - at);
            }
            case 4 -> { // break a line end: CRLF to LF, CR or CRCRLF
                String s = new String(b, StandardCharsets.ISO_8859_1);
                String[] ends = {"\n", "\r", "\r\r\n", "\n\r"};
                return s.replaceFirst("\r\n", ends[random.nextInt(ends.length)]).getBytes(StandardCharsets.ISO_8859_1);
            }
            case 5 -> { // insert an absurd or contradictory framing header after the request line
                String s = new String(b, StandardCharsets.ISO_8859_1);
                int eol = s.indexOf("\r\n");
                return (eol < 0 ? s : s.substring(0, eol + 2) + FRAMING[random.nextInt(FRAMING.length)] + "\r\n" + s.substring(eol + 2))
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            case 6 -> { // truncate
                return java.util.Arrays.copyOf(b, at);
            }
            default -> { // a huge token in the request line
                out.write(b, 0, at);
                byte[] run = new byte[random.nextInt(4096, 20_000)];
                java.util.Arrays.fill(run, (byte) 'A');
                out.write(run, 0, run.length);
                out.write(b, at, b.length - at);
            }
        }
        return out.toByteArray();
    }
}
