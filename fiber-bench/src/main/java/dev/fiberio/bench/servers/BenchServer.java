package dev.fiberio.bench.servers;

/** A running benchmark server. */
public interface BenchServer extends AutoCloseable {
    /**
     * The port it listens on (the bound one when started with port 0).
     *
     * @return the port
     */
    int port();

    /** Stops accepting and releases the server's threads; idempotent. */
    @Override
    void close();
}
