package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A timer armed on a worker that then runs a long CPU burst must still fire while another worker is
 * free: idle workers fire other workers' due timers.
 */
class TimerStrandingTest {

    /**
     * One round: a busy fiber spawns a sleeper onto its own worker's queue and yields, so the sleeper
     * usually runs (and arms its timer) on the busy fiber's worker; the busy fiber then spins until the
     * sleeper wakes. If the timer were only fired by its own worker, the spin would hit its 20 s bound.
     * Rounds where stealing put the two on different workers prove nothing and are repeated.
     */
    @Test
    void aTimerOfAWorkerBusyWithALongRunFiresOnAnIdleWorker() throws Exception {
        FiberScheduler s = TestSchedulers.create(2);
        try {
            int stranded = 0;
            for (int round = 0; round < 200 && stranded < 3; round++) {
                AtomicBoolean woke = new AtomicBoolean();
                AtomicReference<Worker> sleeperWorker = new AtomicReference<>();
                AtomicInteger outcome = new AtomicInteger(); // 1: woke during the burst, 2: burst hit its bound, 3: not same worker
                Fiber busy = s.spawn(() -> {
                    s.spawn(() -> {
                        sleeperWorker.set(Fiber.current().lastCarrier());
                        Fiber.sleep(Duration.ofMillis(20));
                        woke.set(true);
                    });
                    Fiber.yield();
                    Worker mine = Fiber.current().lastCarrier();
                    while (sleeperWorker.get() == null && !woke.get()) {
                        Thread.onSpinWait(); // the sleeper runs elsewhere; wait until it armed its timer
                    }
                    if (sleeperWorker.get() != mine) {
                        outcome.set(3);
                        while (!woke.get()) {
                            Fiber.yield();
                        }
                        return;
                    }
                    long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!woke.get() && System.nanoTime() - bound < 0) {
                        Thread.onSpinWait(); // a CPU burst that never suspends
                    }
                    outcome.set(woke.get() ? 1 : 2);
                });
                assertTrue(busy.join(Duration.ofSeconds(60)));
                assertTrue(outcome.get() != 2, "the sleeper's timer waited for its busy worker (round " + round + ")");
                if (outcome.get() == 1) {
                    stranded++;
                }
            }
            assertTrue(stranded > 0, "no round put the timer on the busy worker");
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }
}
