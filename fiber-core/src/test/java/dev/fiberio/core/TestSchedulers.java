package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Helpers shared by fiber-core tests (and, through the test-jar, by other modules' tests). */
public final class TestSchedulers {
    private TestSchedulers() {
    }

    /**
     * A scheduler for one test, with a short shutdown bound.
     *
     * @param workers worker count
     * @return the scheduler
     */
    public static FiberScheduler create(int workers) {
        return FiberScheduler.builder().workers(workers).name("test").shutdownTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Runs {@code body} in a fiber of {@code s} and returns its result, failing on exceptions.
     *
     * @param s    the scheduler
     * @param body the code
     * @param <T>  result type
     * @return the result
     * @throws Exception whatever the body threw
     */
    public static <T> T inFiber(FiberScheduler s, Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        s.spawn(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    /**
     * Closes {@code s} and asserts that no invariant of the scheduler was found broken.
     *
     * @param s the scheduler
     */
    public static void closeChecked(FiberScheduler s) {
        s.close();
        assertEquals(0, s.invariantViolations(), "invariant violations");
    }

    /** A callable that may throw anything. */
    @FunctionalInterface
    public interface Callable<T> {
        /**
         * Runs.
         *
         * @return a result
         * @throws Exception anything
         */
        T call() throws Exception;
    }

    /**
     * Waits (on a thread) until {@code condition} holds, polling; fails after 30 s.
     *
     * @param what      description for the failure
     * @param condition the condition
     */
    public static void awaitCondition(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.get()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
