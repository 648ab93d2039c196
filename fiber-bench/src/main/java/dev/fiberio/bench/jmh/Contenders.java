package dev.fiberio.bench.jmh;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import java.time.Duration;

/** Start and stop of the contenders' execution contexts, shared by the benchmark classes. */
final class Contenders {
    private Contenders() {
    }

    /** A fiberio scheduler with {@code workers} workers, for one benchmark trial. */
    static FiberScheduler fiberScheduler(int workers) {
        return FiberScheduler.builder().name("bench").workers(workers)
                .shutdownTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Closes {@code scheduler}, failing the trial if the scheduler detected a broken invariant (a
     * fiber resumed twice or before its suspension finished): a fast wrong result is no result.
     */
    static void closeChecked(FiberScheduler scheduler) {
        scheduler.close();
        long violations = scheduler.invariantViolations();
        if (violations != 0) {
            throw new IllegalStateException(violations + " scheduler invariant violations");
        }
    }

    /** Runs {@code task} on a new thread from {@code builder} and waits for it to end. */
    static void runAndJoin(Thread.Builder builder, Runnable task) {
        runPair(builder, null, task);
    }

    /**
     * Two parties in fibers: starts {@code first}, then {@code second}, and waits for both to end
     * (joining orders their writes before the caller's reads).
     */
    static void runPair(FiberScheduler scheduler, Runnable first, Runnable second) {
        Fiber a = scheduler.spawn(first);
        scheduler.spawn(second).join();
        a.join();
    }

    /**
     * Two parties on threads from {@code builder}, as {@link #runPair(FiberScheduler, Runnable, Runnable)};
     * {@code first} may be null (then only {@code second} runs).
     */
    static void runPair(Thread.Builder builder, Runnable first, Runnable second) {
        try {
            Thread a = first == null ? null : builder.start(first);
            builder.start(second).join();
            if (a != null) {
                a.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining a benchmark thread", e);
        }
    }
}
