package dev.fiberio.bench.servers;

import dev.fiberio.core.FiberScheduler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fiberio example server and the scheduler of {@code --threads} workers it runs on, closed together.
 * Closing reports broken scheduler invariants (a fiber resumed twice or before its suspension ended),
 * which would void the run's results.
 */
final class FiberioServer implements BenchServer {
    private static final Logger LOG = LoggerFactory.getLogger(FiberioServer.class);

    /** Starts one example server on a scheduler. */
    @FunctionalInterface
    interface Example {
        /**
         * Starts the example.
         *
         * @param scheduler runs its fibers
         * @param address   where it listens
         * @return the bound port and how to stop it
         * @throws IOException if it cannot bind
         */
        Running start(FiberScheduler scheduler, InetSocketAddress address) throws IOException;
    }

    /**
     * A started example.
     *
     * @param port  the bound port
     * @param close stops it (not the scheduler)
     */
    record Running(int port, Runnable close) {
    }

    private final FiberScheduler scheduler;
    private final Running example;

    private FiberioServer(FiberScheduler scheduler, Running example) {
        this.scheduler = scheduler;
        this.example = example;
    }

    /**
     * Creates the scheduler and starts the example on it.
     *
     * @param name    scheduler name
     * @param options where and with how many workers
     * @param example the example to start
     * @return the running server
     * @throws IOException if it cannot bind
     */
    static FiberioServer start(String name, ServerOptions options, Example example) throws IOException {
        FiberScheduler scheduler = FiberScheduler.builder().name(name).workers(options.threads())
                .shutdownTimeout(Duration.ofSeconds(5)).build();
        try {
            return new FiberioServer(scheduler, example.start(scheduler, options.address()));
        } catch (IOException | RuntimeException e) {
            scheduler.close();
            throw e;
        }
    }

    @Override
    public int port() {
        return example.port();
    }

    @Override
    public void close() {
        if (scheduler.isClosed()) {
            return;
        }
        example.close().run();
        scheduler.close();
        if (scheduler.invariantViolations() != 0) {
            LOG.error("{}: {} scheduler invariant violations; discard this run's results",
                    scheduler.name(), scheduler.invariantViolations());
        }
    }
}
