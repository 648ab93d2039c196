package dev.fiberio.examples.server;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The listening socket and accept loop of every example server: {@link #listen} binds and starts an
 * acceptor fiber that accepts until the socket is closed and starts a fiber per connection;
 * {@link #close()} closes the socket and waits for the acceptor to end.
 *
 * <ul>
 *   <li>An accept that fails while the socket is open (anything the backend does not retry itself) is
 *       logged and retried after a pause that doubles from {@link #FIRST_PAUSE} to {@link #MAX_PAUSE}
 *       and resets after a success: a persistent error never turns into a busy loop of warnings.</li>
 *   <li>A connection that no fiber can take (the scheduler is closing) is closed at once, never leaked,
 *       and the loop ends.</li>
 *   <li>Cancellation of the acceptor fiber (scheduler shutdown) closes the listening socket (accept
 *       throws "Closed by interrupt", as java.net does for an interrupted virtual thread), which ends the
 *       loop.</li>
 * </ul>
 */
public final class AcceptLoop implements AutoCloseable {
    /** Pause after the first failed accept. */
    public static final Duration FIRST_PAUSE = Duration.ofMillis(1);
    /** Longest pause between failed accepts. */
    public static final Duration MAX_PAUSE = Duration.ofSeconds(1);
    /** How long {@link #close()} waits for the acceptor fiber. */
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final FiberServerSocket server;
    private final Fiber acceptor;
    private final Logger log;

    private AcceptLoop(FiberServerSocket server, Fiber acceptor, Logger log) {
        this.server = server;
        this.acceptor = acceptor;
        this.log = log;
    }

    /**
     * Binds a listening socket (with {@code SO_REUSEADDR}) and starts accepting in a fiber named
     * {@code name}. Nothing is left open if this fails.
     *
     * @param name      the acceptor fiber's name
     * @param scheduler runs the acceptor and the connections' fibers
     * @param address   where to listen
     * @param backlog   the accept queue length
     * @param handler   serves one connection and closes it
     * @param log       where failures are reported
     * @return the running loop
     * @throws IOException if binding fails
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closed
     */
    public static AcceptLoop listen(String name, FiberScheduler scheduler, InetSocketAddress address, int backlog,
                                    Consumer<FiberSocket> handler, Logger log) throws IOException {
        FiberServerSocket server = FiberServerSocket.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, backlog);
            return new AcceptLoop(server, scheduler.spawn(name, () -> run(server, scheduler, handler, log)), log);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * The address listened on.
     *
     * @return the bound address
     * @throws IOException if closed
     */
    public InetSocketAddress address() throws IOException {
        return server.localAddress();
    }

    /**
     * Closes the listening socket and waits (bounded) for the acceptor fiber to end, however it ends:
     * normally, or cancelled because its scheduler was closed first. Idempotent; never throws.
     */
    @Override
    public void close() {
        closeQuietly(server, log);
        try {
            acceptor.join(JOIN_TIMEOUT);
        } catch (FiberCancelledException | CompletionException e) {
            log.debug("acceptor ended by {}", e.toString()); // it has ended, which is all close waits for
        }
    }

    /**
     * Accepts until {@code server} is closed.
     *
     * @param server    the listening socket
     * @param scheduler where each connection's fiber runs
     * @param handler   serves one connection and closes it
     * @param log       where failures are reported
     */
    public static void run(FiberServerSocket server, FiberScheduler scheduler, Consumer<FiberSocket> handler, Logger log) {
        Duration pause = FIRST_PAUSE;
        while (server.isOpen()) {
            FiberSocket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return; // closed: shutting down
                }
                log.warn("accept on {} failed; retrying in {} ms", server, pause.toMillis(), e);
                Fiber.sleep(pause);
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
                continue;
            }
            pause = FIRST_PAUSE;
            try {
                scheduler.spawn(() -> handler.accept(s));
            } catch (RejectedExecutionException e) {
                closeQuietly(s, log);
                return; // the scheduler is closing
            }
        }
    }

    private static void closeQuietly(java.io.Closeable s, Logger log) {
        try {
            s.close();
        } catch (IOException e) {
            log.debug("close failed", e);
        }
    }
}
