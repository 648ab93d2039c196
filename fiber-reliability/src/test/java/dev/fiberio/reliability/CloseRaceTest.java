package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} racing operations in other fibers, {@link Settings#raceRounds()} times each (10,000
 * by default): a reader and a writer blocked in (or just entering) the same connection, and an acceptor
 * on a listening socket. Every blocked operation must end, with its result or with
 * {@code SocketException("Socket closed")} (or "Socket is closed" for an accept begun after the close,
 * as in java.net) — never another error (such as a read on a descriptor number
 * that was closed and reused), never a hang — and every descriptor must be released.
 */
@Tag("reliability")
@OnSelectedBackend
class CloseRaceTest {
    private static final long HANG_GUARD_SECONDS = 30;
    private static final String CLOSED = "closed";

    private FiberScheduler scheduler;
    private Baseline baseline;

    @BeforeEach
    void start() throws InterruptedException {
        baseline = Baseline.take();
        scheduler = TestSchedulers.create(2);
    }

    @AfterEach
    void stop() {
        TestSchedulers.closeChecked(scheduler);
        baseline.assertRestored();
    }

    @Test
    void closeRacingAReaderAndAWriterOfTheSameConnection() throws Exception {
        int rounds = Settings.raceRounds();
        SplittableRandom random = new SplittableRandom(Settings.seed());
        Outcomes reads = new Outcomes();
        Outcomes writes = new Outcomes();
        try (FiberServerSocket listener = FiberServerSocket.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress address = listener.localAddress();
            byte[] big = new byte[256 * 1024];
            for (int round = 0; round < rounds; round++) {
                FiberSocket client = FiberSocket.open();
                client.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // so that the writer blocks soon
                client.connect(address);
                FiberSocket s = listener.accept();
                s.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
                boolean sendData = random.nextInt(4) == 0;
                int closerYields = random.nextInt(4);
                CompletableFuture<String> read = new CompletableFuture<>();
                CompletableFuture<String> write = new CompletableFuture<>();
                scheduler.spawn(() -> read.complete(outcome(() -> s.read(new byte[64], 0, 64) > 0 ? "data" : "eof")));
                scheduler.spawn(() -> write.complete(outcome(() -> {
                    s.write(big, 0, big.length);
                    return "written";
                })));
                scheduler.spawn(() -> {
                    for (int y = 0; y < closerYields; y++) {
                        Fiber.yield();
                    }
                    closeQuietly(s);
                });
                if (sendData) {
                    client.write(new byte[] {1});
                }
                reads.add(read.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
                writes.add(write.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
                client.close();
            }
        }
        new Report("close-race-read-write").add("rounds", rounds).add("read outcomes", reads).add("write outcomes", writes).publish();
        assertEquals(Map.of(), reads.outside(Set.of("data", CLOSED)), "unexpected read outcomes");
        assertEquals(Map.of(), writes.outside(Set.of("written", CLOSED)), "unexpected write outcomes");
        assertTrue(reads.count(CLOSED) > 0 && writes.count(CLOSED) > 0, "close did interrupt operations");
    }

    @Test
    void closeRacingAnAcceptor() throws Exception {
        int rounds = Settings.raceRounds();
        SplittableRandom random = new SplittableRandom(Settings.seed());
        Outcomes accepts = new Outcomes();
        for (int round = 0; round < rounds; round++) {
            FiberServerSocket listener = FiberServerSocket.open();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress address = listener.localAddress();
            boolean connect = random.nextInt(4) == 0;
            int closerYields = random.nextInt(4);
            CompletableFuture<String> accept = new CompletableFuture<>();
            scheduler.spawn(() -> accept.complete(outcome(() -> {
                listener.accept().close();
                return "accepted";
            })));
            scheduler.spawn(() -> {
                for (int y = 0; y < closerYields; y++) {
                    Fiber.yield();
                }
                closeQuietly(listener);
            });
            if (connect) {
                try (FiberSocket client = FiberSocket.open()) {
                    client.connect(address);
                } catch (IOException refusedOnceClosed) {
                    // the listener may be gone already: that is part of the race
                }
            }
            accepts.add(accept.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
        }
        new Report("close-race-accept").add("rounds", rounds).add("accept outcomes", accepts).publish();
        assertEquals(Map.of(), accepts.outside(Set.of("accepted", CLOSED)), "unexpected accept outcomes");
        assertTrue(accepts.count(CLOSED) > 0, "close did interrupt accepts");
    }

    /**
     * Runs an operation and names its outcome; "closed" for the exceptions close may cause: java.net's
     * "Socket closed" (a call woken by the close, a read or write after it) or "Socket is closed" (an
     * accept that starts after the close).
     */
    private static String outcome(IoCall call) {
        try {
            return call.run();
        } catch (SocketException e) {
            return SocketErrors.SOCKET_CLOSED.equals(e.getMessage()) || SocketErrors.SOCKET_IS_CLOSED.equals(e.getMessage())
                    ? CLOSED : "unexpected " + e;
        } catch (Throwable t) {
            return "unexpected " + t;
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            throw new AssertionError("close failed", e);
        }
    }

    /** An operation that names its result. */
    @FunctionalInterface
    private interface IoCall {
        String run() throws IOException;
    }
}
