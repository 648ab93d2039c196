package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.examples.http.HttpLimits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Storms of peer resets (RST through {@code SO_LINGER 0}) against the echo and HTTP examples: right
 * after connecting, in the middle of a message or request, and after a complete one whose answer is
 * never read. A steady client must be served correctly throughout, and afterwards every server-side
 * connection must be gone.
 */
@Tag("reliability")
@OnSelectedBackend
class RstStormTest {
    private static final int STORMERS = 8;
    private static final int RESETS_EACH = 250;
    private static final byte[] HTTP_REQUEST = "GET /json HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theEchoServerServesASteadyClientThroughAResetStorm() throws Exception {
        try (ServerFixture<?> f = ServerFixture.echo()) {
            byte[] message = new byte[4096];
            new SplittableRandom(Settings.seed()).nextBytes(message);
            long verified = underStorm("echo", f.address, message, () -> {
                try (Socket s = RawHttp.connect(f.address)) {
                    long n = 0;
                    byte[] back = new byte[message.length];
                    for (int i = 0; i < 50; i++) {
                        s.getOutputStream().write(message);
                        if (s.getInputStream().readNBytes(back, 0, back.length) != back.length || !Arrays.equals(message, back)) {
                            throw new AssertionError("echo differs");
                        }
                        n++;
                    }
                    return n;
                }
            });
            assertTrue(verified > 0);
        }
    }

    @Test
    void theHttpServerServesASteadyClientThroughAResetStorm() throws Exception {
        try (ServerFixture<?> f = ServerFixture.http(HttpLimits.defaults())) {
            long verified = underStorm("http", f.address, HTTP_REQUEST, () -> {
                String r = RawHttp.exchange(f.address, RawHttp.GET_CLOSE);
                if (!r.startsWith("HTTP/1.1 200 ")) {
                    throw new AssertionError(r);
                }
                return 1L;
            });
            assertTrue(verified > 0);
        }
    }

    /**
     * Runs the storm and, until it is over, the steady client in a loop.
     *
     * @return units the steady client verified
     */
    private static long underStorm(String server, InetSocketAddress address, byte[] payload, SteadyClient steady) throws Exception {
        AtomicBoolean stormOver = new AtomicBoolean();
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> stormers = new ArrayList<>();
            SplittableRandom seeds = new SplittableRandom(Settings.seed());
            for (int i = 0; i < STORMERS; i++) {
                SplittableRandom random = seeds.split();
                stormers.add(vt.submit(() -> storm(address, payload, random)));
            }
            Future<Long> steadyRuns = vt.submit(() -> {
                long n = 0;
                do {
                    n += steady.run();
                } while (!stormOver.get());
                return n;
            });
            int resets = 0;
            for (Future<Integer> s : stormers) {
                resets += s.get(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS);
            }
            stormOver.set(true);
            long verified = steadyRuns.get(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS);
            assertEquals(STORMERS * RESETS_EACH, resets);
            new Report("rst-storm-" + server).add("resets", resets).add("steady client units verified", verified).publish();
            return verified;
        }
    }

    /** {@link #RESETS_EACH} connections, each reset at a random point. */
    private static int storm(InetSocketAddress address, byte[] payload, SplittableRandom random) throws IOException {
        for (int i = 0; i < RESETS_EACH; i++) {
            try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                switch (random.nextInt(3)) {
                    case 0 -> { } // reset right after connecting
                    case 1 -> s.getOutputStream().write(payload, 0, 1 + random.nextInt(payload.length - 1)); // mid-message
                    default -> s.getOutputStream().write(payload); // complete, answer never read
                }
                s.setSoLinger(true, 0);
            }
        }
        return RESETS_EACH;
    }

    /** One round of the steady client; returns the units it verified. */
    @FunctionalInterface
    private interface SteadyClient {
        long run() throws Exception;
    }
}
