package dev.fiberio.examples.server;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The accept loop of every example server, run in its acceptor fiber: accepts until the listening
 * socket is closed, and starts a fiber per connection.
 *
 * <ul>
 *   <li>An accept that fails while the socket is open (anything the backend does not retry itself) is
 *       logged and retried after a pause that doubles from {@link #FIRST_PAUSE} to {@link #MAX_PAUSE}
 *       and resets after a success: a persistent error never turns into a busy loop of warnings.</li>
 *   <li>A connection that no fiber can take (the scheduler is closing) is closed at once, never leaked,
 *       and the loop ends.</li>
 *   <li>Cancellation of the acceptor fiber (scheduler shutdown) ends the loop with
 *       {@link dev.fiberio.core.FiberCancelledException}.</li>
 * </ul>
 */
public final class AcceptLoop {
    /** Pause after the first failed accept. */
    public static final Duration FIRST_PAUSE = Duration.ofMillis(1);
    /** Longest pause between failed accepts. */
    public static final Duration MAX_PAUSE = Duration.ofSeconds(1);

    private AcceptLoop() {
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

    private static void closeQuietly(FiberSocket s, Logger log) {
        try {
            s.close();
        } catch (IOException e) {
            log.debug("close failed", e);
        }
    }
}
