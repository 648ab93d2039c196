package dev.fiberio.iocp;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Runs test bodies in fibers without waiting for them, and reads how they ended. */
final class Spawned {
    private Spawned() {
    }

    /**
     * Spawns {@code body} on {@code scheduler}.
     *
     * @return a future completed with the body's result or exception
     */
    static <T> CompletableFuture<T> inFiber(FiberScheduler scheduler, TestSchedulers.Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        scheduler.spawn(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Waits for {@code f} and returns the exception it completed with (fails if it completed normally). */
    static Throwable failure(CompletableFuture<?> f) {
        Throwable t = f.handle((v, e) -> e).join();
        assertNotNull(t, "expected the operation to fail");
        return t instanceof CompletionException ? t.getCause() : t;
    }
}
