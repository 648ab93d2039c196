package dev.fiberio.core;

import dev.fiberio.core.sync.FiberLock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A timer armed on a worker that then runs a long CPU burst must still fire while another worker is
 * free: idle workers fire other workers' due timers (see {@link TimerStranding}).
 */
class TimerStrandingTest {
    private FiberScheduler s;

    @BeforeEach
    void setUp() {
        s = TestSchedulers.create(2);
    }

    @AfterEach
    void tearDown() {
        TestSchedulers.closeChecked(s);
    }

    @Test
    void aSleepOfAWorkerBusyWithALongRunEndsOnTime() {
        TimerStranding.check(s, () -> Fiber.sleep(Duration.ofMillis(20)));
    }

    @Test
    void aTryLockTimeoutOfAWorkerBusyWithALongRunEndsOnTime() throws Exception {
        FiberLock lock = new FiberLock();
        Thread holder = new Thread(lock::lock); // held by a thread that never releases it
        holder.start();
        holder.join();
        TimerStranding.check(s, () -> {
            if (lock.tryLock(Duration.ofMillis(20))) {
                throw new AssertionError("the lock is held by another thread");
            }
        });
    }
}
