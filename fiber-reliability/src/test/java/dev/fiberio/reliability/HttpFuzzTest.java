package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.examples.http.HttpLimits;
import dev.fiberio.examples.http.HttpServer;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The HTTP example fed {@link Settings#fuzzRequests()} generated requests (valid, mutated, garbage;
 * {@link RequestMutator}), each on its own connection whose output the client then shuts down: every
 * connection must be answered with well-formed responses and/or closed by the server — none left
 * hanging — no server fiber may fail, and the server keeps answering valid requests and ends with no
 * connection open.
 */
@Tag("reliability")
@OnSelectedBackend
class HttpFuzzTest {
    private static final int PARALLEL = 4;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) [A-Za-z ]+\r\n");

    @Test
    void everyFuzzedConnectionIsAnsweredOrClosedAndTheServerSurvives() throws Exception {
        int requests = Settings.fuzzRequests();
        Outcomes outcomes = new Outcomes();
        List<String> malformed = new ArrayList<>();
        try (ServerFixture<HttpServer> f = ServerFixture.http(HttpLimits.defaults());
             ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            SplittableRandom seeds = new SplittableRandom(Settings.seed());
            List<Future<?>> senders = new ArrayList<>();
            for (int p = 0; p < PARALLEL; p++) {
                RequestMutator mutator = new RequestMutator(seeds.split());
                senders.add(vt.submit(() -> {
                    for (int i = 0; i < requests / PARALLEL; i++) {
                        byte[] input = mutator.next();
                        String answer;
                        try (Socket s = RawHttp.connect(f.address)) {
                            s.getOutputStream().write(input);
                            s.shutdownOutput(); // no more input: the server must answer what it can and close
                            answer = RawHttp.readUntilClosed(s); // returns only once the server closed
                        } catch (java.io.IOException e) {
                            answer = "(client failed: " + e + ")";
                        }
                        String outcome = classify(answer);
                        outcomes.add(outcome);
                        if (outcome.startsWith("malformed") && malformed.size() < 10) {
                            malformed.add(answer.substring(0, Math.min(200, answer.length())));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> s : senders) {
                s.get(5, TimeUnit.MINUTES);
            }
            String after = RawHttp.exchange(f.address, RawHttp.GET_CLOSE);
            new Report("http-fuzz").add("requests", requests).add("first status per connection", outcomes).publish();
            assertTrue(after.startsWith("HTTP/1.1 200 "), "the server still answers: " + after);
        } // the fixture checks: no failed fiber, every connection closed, no descriptor left
        assertEquals(List.of(), malformed, "answers that are not HTTP responses");
    }

    /** "closed" for no answer, "malformed" for bytes that are not a response, else the first status. */
    private static String classify(String answer) {
        if (answer.isEmpty()) {
            return "closed";
        }
        if (answer.startsWith("(client failed")) {
            return "malformed: " + answer;
        }
        Matcher m = STATUS_LINE.matcher(answer);
        return m.lookingAt() ? m.group(1) : "malformed";
    }
}
