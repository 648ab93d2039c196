package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks that the timeout of a timed wait fires while the worker that armed it is busy with a long run
 * and another worker is free (idle workers fire other workers' due timers). Used for every kind of
 * timed wait: sleep, lock, socket read, accept.
 */
public final class TimerStranding {
    private TimerStranding() {
    }

    /** A wait that ends by its own timeout (about 20 ms); it may throw the timeout exception. */
    @FunctionalInterface
    public interface TimedWait {
        /**
         * Waits until the timeout.
         *
         * @throws Exception the timeout's exception, if the operation reports it so
         */
        void await() throws Exception;
    }

    /**
     * Runs rounds on {@code s} (two workers or more): a busy fiber spawns the timed wait onto its own
     * worker's queue and yields, so the wait usually arms its timer on the busy fiber's worker; the busy
     * fiber then spins, never suspending, until the wait ended. If the timer were fired only by its own
     * worker, the spin would reach its 20 s bound. Rounds where stealing put the two on different
     * workers prove nothing and are repeated (up to 200), until three rounds had the stranding shape.
     *
     * @param s    the scheduler
     * @param wait the timed wait
     */
    public static void check(FiberScheduler s, TimedWait wait) {
        int stranded = 0;
        for (int round = 0; round < 200 && stranded < 3; round++) {
            AtomicBoolean ended = new AtomicBoolean();
            AtomicReference<Worker> waiterWorker = new AtomicReference<>();
            AtomicInteger outcome = new AtomicInteger(); // 1 ended during the burst, 2 burst hit its bound, 3 other worker
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Fiber busy = s.spawn(() -> {
                s.spawn(() -> {
                    waiterWorker.set(Fiber.current().lastCarrier());
                    try {
                        wait.await();
                    } catch (Exception e) {
                        // the timeout, reported as an exception: expected
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                    ended.set(true);
                });
                Fiber.yield();
                Worker mine = Fiber.current().lastCarrier();
                while (waiterWorker.get() == null && !ended.get()) {
                    Thread.onSpinWait(); // the wait runs elsewhere; let it arm its timer
                }
                if (waiterWorker.get() != mine) {
                    outcome.set(3);
                    while (!ended.get()) {
                        Fiber.yield();
                    }
                    return;
                }
                long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!ended.get() && System.nanoTime() - bound < 0) {
                    Thread.onSpinWait(); // a CPU burst that never suspends
                }
                outcome.set(ended.get() ? 1 : 2);
            });
            assertTrue(busy.join(Duration.ofSeconds(60)));
            TestSchedulers.awaitCondition("the timed wait ended", ended::get);
            assertTrue(failure.get() == null, "the timed wait failed: " + failure.get());
            assertTrue(outcome.get() != 2, "the timeout waited for its busy worker (round " + round + ")");
            if (outcome.get() == 1) {
                stranded++;
            }
        }
        assertTrue(stranded > 0, "no round put the timer on the busy worker");
    }
}
