package dev.fiberio.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link FiberTest} used as a user would. */
class FiberTestTest {
    private FiberScheduler fromBeforeEach;

    @BeforeEach
    void before(FiberScheduler scheduler) {
        fromBeforeEach = scheduler;
        assertFalse(scheduler.isClosed());
    }

    @FiberTest
    void theBodyRunsInAFiberOfTheInjectedScheduler(FiberScheduler scheduler) {
        Fiber self = Fiber.current();
        assertNotNull(self, "not in a fiber");
        assertSame(scheduler, self.scheduler());
        assertSame(fromBeforeEach, scheduler);
        assertEquals(2, scheduler.workerCount());
        assertTrue(scheduler.name().contains("theBodyRunsInAFiberOfTheInjectedScheduler"), scheduler.name());
    }

    @FiberTest(workers = 1)
    void childFibersThatAreJoinedAreNotLeaks(FiberScheduler scheduler) {
        assertEquals(1, scheduler.workerCount());
        AtomicInteger sum = new AtomicInteger();
        Fiber[] children = new Fiber[10];
        for (int i = 0; i < children.length; i++) {
            int n = i;
            children[i] = scheduler.spawn(() -> {
                Fiber.yield();
                sum.addAndGet(n);
            });
        }
        for (Fiber c : children) {
            c.join();
        }
        assertEquals(45, sum.get());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    @ExtendWith(FiberTestExtension.class)
    void parameterizedTestsRunInFibersToo(int n) {
        assertNotNull(Fiber.current());
        for (int i = 0; i < n; i++) {
            Fiber.yield();
        }
    }
}
