package dev.fiberio.bench.servers;

import java.util.concurrent.CountDownLatch;

/**
 * The common {@code main} of the benchmark servers: parse the options, start, print one
 * {@code listening <name> port=<port> threads=<n>} line, and run until the JVM is told to stop
 * (SIGTERM/SIGINT), when a shutdown hook closes the server.
 */
public final class ServerLauncher {
    /** Starts one kind of server. */
    @FunctionalInterface
    public interface Starter {
        /**
         * Starts the server.
         *
         * @param options the parsed options
         * @return the running server
         * @throws Exception if it cannot start
         */
        BenchServer start(ServerOptions options) throws Exception;
    }

    private ServerLauncher() {
    }

    /**
     * Runs a server until the JVM is stopped.
     *
     * @param name    the contender's name, for the first output line and {@code --help}
     * @param argv    the command line
     * @param starter starts the server
     * @throws Exception if the server cannot start
     */
    public static void run(String name, String[] argv, Starter starter) throws Exception {
        if (ServerOptions.wantsHelp(argv)) {
            System.out.println("usage: " + name + " [--host 127.0.0.1] [--port 0] [--threads <cpus>]");
            return;
        }
        ServerOptions options;
        try {
            options = ServerOptions.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        BenchServer server = starter.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, name + "-shutdown"));
        System.out.printf("listening %s port=%d threads=%d%n", name, server.port(), options.threads());
        System.out.flush();
        stopped.await();
    }
}
