package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.examples.echo.EchoServer;
import dev.fiberio.net.FiberServerSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The public socket API under random calls with random, mostly wrong, arguments ({@link ApiFuzzer}),
 * from four fibers and a plain thread sharing the sockets: every call returns or throws one of the
 * Java exceptions the API documents — never another exception, never a crash of the JVM — and in the
 * end no descriptor is left open.
 */
@Tag("reliability")
@OnSelectedBackend
class ApiFuzzTest {
    /** What the API documents: I/O failures, and argument, state and memory errors. */
    private static final Set<Class<? extends Throwable>> DOCUMENTED = Set.of(IOException.class,
            NullPointerException.class, IllegalArgumentException.class, IndexOutOfBoundsException.class,
            IllegalStateException.class, ReadOnlyBufferException.class, UnsupportedOperationException.class,
            WrongThreadException.class);
    private static final int FIBERS = 4;

    @Test
    void randomCallsWithBadArgumentsOnlyEverThrowDocumentedExceptions() throws Exception {
        int calls = Integer.getInteger("fiberio.fuzz.apiCalls", 20_000);
        Baseline baseline = Baseline.take();
        FiberScheduler s = TestSchedulers.create(2);
        Outcomes outcomes = new Outcomes();
        // Owner of both arenas: this test; freed when the block ends, after every fuzzing caller finished.
        try (Arena shared = Arena.ofShared(); Arena confined = Arena.ofConfined()) {
            EchoServer echo = new EchoServer(s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            FiberServerSocket gone = FiberServerSocket.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress refused = gone.localAddress();
            gone.close();
            ApiFuzzer fuzzer = new ApiFuzzer(echo.address(), refused, shared, confined.allocate(64));
            SplittableRandom seeds = new SplittableRandom(Settings.seed());
            List<CompletableFuture<Void>> callers = new ArrayList<>();
            for (int f = 0; f < FIBERS; f++) {
                SplittableRandom r = seeds.split();
                CompletableFuture<Void> done = new CompletableFuture<>();
                callers.add(done);
                s.spawn(() -> {
                    for (int i = 0; i < calls / (FIBERS + 1); i++) {
                        outcomes.add(fuzzer.call(r));
                    }
                    done.complete(null);
                });
            }
            SplittableRandom own = seeds.split();
            for (int i = 0; i < calls / (FIBERS + 1); i++) { // and a plain thread, this one
                outcomes.add(fuzzer.call(own));
            }
            for (CompletableFuture<Void> c : callers) {
                c.get(120, TimeUnit.SECONDS);
            }
            fuzzer.closeAll();
            baseline.awaitServerIdle(s);
            echo.close();
        }
        TestSchedulers.closeChecked(s);
        baseline.assertRestored();
        Map<String, Long> undocumented = new TreeMap<>();
        Map<String, Long> all = new TreeMap<>();
        outcomes.forEach((outcome, n) -> {
            all.merge(outcome.substring(outcome.indexOf(' ') + 1), n, Long::sum);
            if (!isDocumented(outcome.substring(outcome.indexOf(' ') + 1))) {
                undocumented.put(outcome, n);
            }
        });
        new Report("api-fuzz").add("calls", calls).add("outcomes", all).publish();
        assertEquals(Map.of(), undocumented, "calls that threw something the API does not document");
    }

    private static boolean isDocumented(String outcome) {
        if (outcome.equals("ok")) {
            return true;
        }
        try {
            Class<?> type = Class.forName(outcome);
            return DOCUMENTED.stream().anyMatch(d -> d.isAssignableFrom(type));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
