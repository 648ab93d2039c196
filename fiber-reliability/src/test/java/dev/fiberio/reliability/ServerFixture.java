package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.examples.echo.EchoServer;
import dev.fiberio.examples.http.HttpLimits;
import dev.fiberio.examples.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * An example server on its own scheduler, with the baseline checks every reliability test of it ends
 * with: no server fiber failed, the server went back to its listener and acceptor alone, and after
 * closing, the process holds exactly the descriptors it held before.
 *
 * @param <S> the server type
 */
final class ServerFixture<S extends AutoCloseable> implements AutoCloseable {
    /** Starts a server on a scheduler and an address. */
    @FunctionalInterface
    interface Starter<S> {
        S start(FiberScheduler scheduler, InetSocketAddress address) throws IOException;
    }

    /** The address a started server listens on. */
    @FunctionalInterface
    interface Addresser<S> {
        InetSocketAddress address(S server) throws IOException;
    }

    final FiberScheduler scheduler;
    final S server;
    final InetSocketAddress address;
    private final LongAdder uncaught = new LongAdder();
    private final Baseline baseline;

    /**
     * The HTTP example with {@code limits}.
     *
     * @param limits the server's limits
     * @return the running fixture
     */
    static ServerFixture<HttpServer> http(HttpLimits limits) {
        return new ServerFixture<>((s, a) -> new HttpServer(s, a, limits), HttpServer::address);
    }

    /**
     * The echo example.
     *
     * @return the running fixture
     */
    static ServerFixture<EchoServer> echo() {
        return new ServerFixture<>(EchoServer::new, EchoServer::address);
    }

    private ServerFixture(Starter<S> starter, Addresser<S> addresser) {
        try {
            baseline = Baseline.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during the warm-up", e);
        }
        scheduler = FiberScheduler.builder().name("http-under-test").workers(2).shutdownTimeout(Duration.ofSeconds(5))
                .uncaughtExceptionHandler((f, t) -> uncaught.increment()).build();
        try {
            server = starter.start(scheduler, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            address = addresser.address(server);
        } catch (IOException e) {
            scheduler.close();
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the server holds only its listener and acceptor (every connection ended). */
    void awaitIdle() {
        baseline.awaitServerIdle(scheduler);
    }

    @Override
    public void close() {
        awaitIdle();
        try {
            server.close();
        } catch (Exception e) {
            throw new AssertionError("closing the server failed", e);
        }
        TestSchedulers.closeChecked(scheduler);
        assertEquals(0, uncaught.sum(), "server fibers ended with an exception");
        baseline.assertRestored();
    }
}
