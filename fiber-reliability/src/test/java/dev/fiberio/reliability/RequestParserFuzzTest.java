package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.examples.http.HttpException;
import dev.fiberio.examples.http.HttpRequest;
import dev.fiberio.examples.http.RequestParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The HTTP example's request parser fed {@link Settings#parserFuzzInputs()} generated inputs (valid,
 * mutated, garbage) at random offsets inside a larger buffer: it returns a request, asks for more bytes
 * or refuses with an HTTP status — never any other exception — and a request it returns stays inside
 * the limits and the bytes it was given.
 */
@Tag("reliability")
class RequestParserFuzzTest {
    private static final int MAX_HEAD = 8 * 1024;
    private static final long MAX_BODY = 1 << 20;
    private static final Set<Integer> STATUSES = Set.of(400, 413, 431, 501, 505);

    @Test
    void everyInputGivesARequestAMoreBytesOrAnHttpError() {
        int inputs = Settings.parserFuzzInputs();
        RequestParser parser = new RequestParser(MAX_HEAD, MAX_BODY);
        RequestMutator mutator = new RequestMutator(new SplittableRandom(Settings.seed()));
        SplittableRandom random = new SplittableRandom(Settings.seed() + 1);
        Outcomes outcomes = new Outcomes();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs && failures.size() < 10; i++) {
            byte[] input = mutator.next();
            int pad = random.nextInt(16);
            byte[] buf = new byte[pad + input.length + random.nextInt(16)];
            random.nextBytes(buf); // bytes outside [start, end) must never be read as input
            System.arraycopy(input, 0, buf, pad, input.length);
            try {
                HttpRequest r = parser.parse(buf, pad, pad + input.length);
                if (r == null) {
                    outcomes.add("needs more");
                } else {
                    outcomes.add("request");
                    check(r, input.length);
                }
            } catch (HttpException e) {
                outcomes.add(String.valueOf(e.status()));
                if (!STATUSES.contains(e.status())) {
                    failures.add("status " + e.status() + " for input " + i);
                }
            } catch (RuntimeException | AssertionError e) {
                failures.add(e + " for input " + i + ": " + printable(input));
            }
        }
        new Report("parser-fuzz").add("inputs", inputs).add("outcomes", outcomes).publish();
        assertEquals(List.of(), failures);
        assertTrue(outcomes.count("request") > 0 && outcomes.count("400") > 0 && outcomes.count("needs more") > 0,
                "the inputs reached every kind of outcome: " + outcomes);
    }

    private static void check(HttpRequest r, int available) {
        assertTrue(r.headLength() > 0 && r.headLength() <= available && r.headLength() <= MAX_HEAD, "head length " + r.headLength());
        assertTrue(r.contentLength() >= 0 && r.contentLength() <= MAX_BODY, "content length " + r.contentLength());
        assertTrue(!r.method().isEmpty() && !r.target().isEmpty(), "method and target");
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 200); i++) {
            int c = b[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
