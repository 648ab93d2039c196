package dev.fiberio.examples.http;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.cli.Args;
import dev.fiberio.net.NetProviders;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the HTTP/1.1 example server; Ctrl-C shuts it down gracefully. */
public final class HttpServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServerMain.class);

    private HttpServerMain() {
    }

    /**
     * Entry point.
     *
     * @param argv see {@code --help}
     * @throws Exception if the server cannot start
     */
    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv, Set.of("host", "port", "workers", "idle-timeout", "request-timeout", "write-timeout"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (args.help()) {
            System.out.println("""
                    usage: HttpServerMain [--host localhost] [--port 8080] [--workers <cpus>] [--idle-timeout 30]
                                          [--request-timeout 20] [--write-timeout 30]
                    Serves HTTP/1.1 with keep-alive and pipelining:
                      GET /       -> text/plain "Hello, World!"
                      GET /json   -> {"message":"Hello, World!"}
                    --idle-timeout:    seconds an idle keep-alive connection is kept
                    --request-timeout: seconds a begun request may take to arrive (then 408)
                    --write-timeout:   seconds a write may wait for a client that does not read
                    Ctrl-C stops it.""");
            return;
        }
        String host = args.string("host", "localhost");
        int port = args.integer("port", 8080);
        int workers = args.integer("workers", Runtime.getRuntime().availableProcessors());
        HttpLimits defaults = HttpLimits.defaults();
        HttpLimits limits = defaults
                .withIdleTimeout(Duration.ofSeconds(args.integer("idle-timeout", (int) defaults.idleTimeout().toSeconds())))
                .withRequestTimeout(Duration.ofSeconds(args.integer("request-timeout", (int) defaults.requestTimeout().toSeconds())))
                .withWriteTimeout(Duration.ofSeconds(args.integer("write-timeout", (int) defaults.writeTimeout().toSeconds())));
        FiberScheduler scheduler = FiberScheduler.builder().name("http").workers(workers)
                .shutdownTimeout(Duration.ofSeconds(5)).build();
        HttpServer server = new HttpServer(scheduler, new InetSocketAddress(host, port), limits);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: {} connections, {} requests served", server.connections(), server.requests());
            server.close();
            scheduler.close();
            stopped.countDown();
        }, "http-shutdown"));
        LOG.info("listening on http://{}:{}/ ({} backend, {} workers); Ctrl-C to stop",
                host, server.address().getPort(), NetProviders.defaultProvider().name(), workers);
        stopped.await();
    }
}
