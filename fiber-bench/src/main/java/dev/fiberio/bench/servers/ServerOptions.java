package dev.fiberio.bench.servers;

import dev.fiberio.examples.cli.Args;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * What every benchmark server takes on its command line: {@code --host} (default 127.0.0.1, loopback
 * only), {@code --port} (0 picks a free one) and {@code --threads} (workers, event loops or carriers;
 * default: the available processors).
 *
 * @param host    address to bind
 * @param port    port to bind
 * @param threads worker threads of the contender
 */
public record ServerOptions(String host, int port, int threads) {
    /** Default bind address: loopback. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * Checks the values.
     *
     * @param host    address to bind
     * @param port    port to bind
     * @param threads worker threads of the contender
     */
    public ServerOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
    }

    /**
     * Parses {@code --host}, {@code --port} and {@code --threads}.
     *
     * @param argv the command line
     * @return the options
     * @throws IllegalArgumentException on an unknown option or a bad value
     */
    public static ServerOptions parse(String... argv) {
        Args args = Args.parse(argv, Set.of("host", "port", "threads"));
        return new ServerOptions(args.string("host", LOOPBACK), args.integer("port", 0),
                args.integer("threads", Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Whether {@code --help} is among the arguments.
     *
     * @param argv the command line
     * @return true if help was asked for
     */
    public static boolean wantsHelp(String... argv) {
        return Set.of(argv).contains("--help") || Set.of(argv).contains("-h");
    }

    /**
     * The address to bind.
     *
     * @return host and port
     */
    public InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }
}
