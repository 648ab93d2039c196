package dev.fiberio.examples.echo;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.cli.Args;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the echo server; Ctrl-C shuts it down gracefully. */
public final class EchoServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(EchoServerMain.class);

    private EchoServerMain() {
    }

    /**
     * Entry point.
     *
     * @param argv see {@code --help}
     * @throws Exception if the server cannot start
     */
    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, Set.of("host", "port", "workers"));
        if (args.help()) {
            System.out.println("usage: EchoServerMain [--host localhost] [--port 7000] [--workers <cpus>]\n"
                    + "Echoes every byte it receives. Ctrl-C stops it.");
            return;
        }
        int workers = args.integer("workers", Runtime.getRuntime().availableProcessors());
        FiberScheduler scheduler = FiberScheduler.builder().name("echo").workers(workers)
                .shutdownTimeout(Duration.ofSeconds(5)).build();
        EchoServer server = new EchoServer(scheduler,
                new InetSocketAddress(args.string("host", "localhost"), args.integer("port", 7000)));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            scheduler.close();
            LOG.info("echo server stopped: {} connections, {} bytes", server.connections(), server.bytesEchoed());
            stopped.countDown();
        }, "echo-shutdown"));
        LOG.info("echo server on {}; Ctrl-C to stop", server.address());
        stopped.await();
    }
}
