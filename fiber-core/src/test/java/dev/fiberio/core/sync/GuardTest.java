package dev.fiberio.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: the primitives' guard was a ReentrantLock, whose unlock throws
 * IllegalMonitorStateException when the thread it sees differs from the one lock() saw — which in fiber
 * code happens when C2 reuses a carrier read before an earlier suspension (seen in
 * ChannelTest.aMillionItemsCrossBetweenFibersInOrder). The guard has no owner.
 */
class GuardTest {
    private long counter;

    @Test
    void aGuardTakenOnOneThreadIsGivenBackOnAnother() throws InterruptedException {
        Guard g = new Guard();
        g.lock();
        assertTrue(g.isHeld());
        Thread other = Thread.ofPlatform().start(g::unlock); // a ReentrantLock throws here
        other.join();
        assertFalse(g.isHeld());
        g.lock();
        g.unlock();
    }

    @Test
    void fibersMigratingBetweenWorkersAndAThreadExcludeEachOther() throws Exception {
        Guard g = new Guard();
        int rounds = 200_000;
        FiberScheduler s = TestSchedulers.create(2);
        try {
            List<Fiber> fibers = new ArrayList<>();
            for (int f = 0; f < 4; f++) {
                fibers.add(s.spawn(() -> {
                    for (int i = 0; i < rounds; i++) {
                        g.lock();
                        try {
                            counter++;
                        } finally {
                            g.unlock();
                        }
                        if ((i & 15) == 0) {
                            Fiber.yield(); // migrate between the workers
                        }
                    }
                }));
            }
            for (int i = 0; i < rounds; i++) {
                g.lock();
                try {
                    counter++;
                } finally {
                    g.unlock();
                }
            }
            for (Fiber f : fibers) {
                f.join();
            }
            assertEquals(5L * rounds, counter);
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }
}
