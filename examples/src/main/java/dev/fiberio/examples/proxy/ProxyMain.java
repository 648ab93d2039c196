package dev.fiberio.examples.proxy;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.cli.Args;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the TCP proxy; Ctrl-C shuts it down gracefully. */
public final class ProxyMain {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyMain.class);

    private ProxyMain() {
    }

    /**
     * Entry point.
     *
     * @param argv see {@code --help}
     * @throws Exception if the proxy cannot start
     */
    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, Set.of("listen-host", "listen-port", "target-host", "target-port", "workers"));
        if (args.help() || args.string("target-port", null) == null) {
            System.out.println("usage: ProxyMain [--listen-host localhost] [--listen-port 9000] [--target-host localhost]"
                    + " --target-port PORT [--workers <cpus>]\n"
                    + "Forwards every connection to the target, both directions, with half-close.");
            return;
        }
        FiberScheduler scheduler = FiberScheduler.builder().name("proxy")
                .workers(args.integer("workers", Runtime.getRuntime().availableProcessors()))
                .shutdownTimeout(Duration.ofSeconds(5)).build();
        TcpProxy proxy = new TcpProxy(scheduler,
                new InetSocketAddress(args.string("listen-host", "localhost"), args.integer("listen-port", 9000)),
                new InetSocketAddress(args.string("target-host", "localhost"), args.integer("target-port", 0)));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            scheduler.close();
            stopped.countDown();
        }, "proxy-shutdown"));
        LOG.info("proxy {} -> {}; Ctrl-C to stop", proxy.address(), proxy.target());
        stopped.await();
    }
}
