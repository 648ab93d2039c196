package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.epoll.EpollNetProvider;
import dev.fiberio.examples.http.HttpLimits;
import dev.fiberio.examples.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP example on its own scheduler, with the baseline checks every reliability test of it ends
 * with: no server fiber failed, the server went back to its listener and acceptor alone, and after
 * closing, the process holds exactly the descriptors it held before.
 */
final class HttpServerFixture implements AutoCloseable {
    final FiberScheduler scheduler;
    final HttpServer server;
    final InetSocketAddress address;
    private final LongAdder uncaught = new LongAdder();
    private final Map<Integer, String> fdsBefore;
    private final long backendBefore;

    /**
     * Starts a server with {@code limits} on a 2-worker scheduler.
     *
     * @param limits the server's limits
     */
    HttpServerFixture(HttpLimits limits) {
        fdsBefore = ProcessFds.snapshot();
        backendBefore = EpollNetProvider.openDescriptors();
        scheduler = FiberScheduler.builder().name("http-under-test").workers(2).shutdownTimeout(Duration.ofSeconds(5))
                .uncaughtExceptionHandler((f, t) -> uncaught.increment()).build();
        try {
            server = new HttpServer(scheduler, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits);
            address = server.address();
        } catch (IOException e) {
            scheduler.close();
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the server holds only its listener and acceptor (every connection ended). */
    void awaitIdle() {
        TestSchedulers.awaitCondition("the server closed every connection",
                () -> EpollNetProvider.openDescriptors() == backendBefore + 1 && scheduler.liveFibers() == 1);
    }

    @Override
    public void close() {
        awaitIdle();
        server.close();
        TestSchedulers.closeChecked(scheduler);
        assertEquals(0, uncaught.sum(), "server fibers ended with an exception");
        assertEquals(backendBefore, EpollNetProvider.openDescriptors(), "backend sockets left open");
        TestSchedulers.awaitCondition("descriptors back to the baseline", () -> ProcessFds.count() == fdsBefore.size());
    }
}
