package dev.fiberio.core.sync;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.core.TestSchedulers.inFiber;
import static dev.fiberio.core.sync.SyncTesting.assertEndedCancelled;
import static dev.fiberio.core.sync.SyncTesting.spawnQueued;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.FiberState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FiberSemaphoreTest extends SchedulerTest {
    private static Runnable acquireAndRecord(FiberSemaphore sem, int n, List<String> order, String name) {
        return () -> {
            sem.acquire(n);
            order.add(name);
        };
    }

    @Test
    void permitsBoundTheNumberOfFibersAndThreadsInside() throws Exception {
        FiberSemaphore sem = new FiberSemaphore(3);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        Runnable body = () -> {
            for (int i = 0; i < 200; i++) {
                sem.acquire();
                try {
                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    if (Fiber.current() != null) {
                        Fiber.yield();
                    }
                    inside.decrementAndGet();
                } finally {
                    sem.release();
                }
            }
        };
        List<Fiber> fibers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fibers.add(s.spawn(body));
        }
        Thread thread = Thread.ofPlatform().start(body);
        for (Fiber f : fibers) {
            f.join();
        }
        thread.join();
        assertTrue(maxInside.get() <= 3, "at most 3 inside, saw " + maxInside.get());
        assertEquals(3, sem.availablePermits());
        assertEquals(0, sem.queueLength());
    }

    @Test
    void aLargeRequestAtTheHeadHoldsBackSmallerOnes() {
        FiberSemaphore sem = new FiberSemaphore(2);
        List<String> order = new CopyOnWriteArrayList<>();
        Fiber large = spawnQueued(s, acquireAndRecord(sem, 5, order, "large"), sem::queueLength, 1);
        Fiber small = spawnQueued(s, acquireAndRecord(sem, 1, order, "small"), sem::queueLength, 2);
        assertEquals(2, sem.availablePermits(), "enough for the small request, which still waits");
        assertFalse(sem.tryAcquire(1), "no barging past the queue");
        assertFalse(sem.tryAcquire(0), "not even for zero permits");
        sem.release(2);
        assertEquals(2, sem.queueLength());
        sem.release(1);
        large.join();
        assertEquals(List.of("large"), order);
        assertEquals(0, sem.availablePermits());
        assertEquals(FiberState.SUSPENDED, small.state());
        sem.release(5);
        small.join();
        assertEquals(List.of("large", "small"), order);
        assertEquals(4, sem.availablePermits());
        assertTrue(sem.tryAcquire(4));
    }

    @Test
    void cancellingTheLargeHeadThrowsOnceAndServesTheRequestsBehind() {
        FiberSemaphore sem = new FiberSemaphore(2);
        List<String> order = new CopyOnWriteArrayList<>();
        AtomicInteger cancellations = new AtomicInteger();
        Fiber large = spawnQueued(s, () -> {
            try {
                sem.acquire(5);
            } catch (FiberCancelledException e) {
                cancellations.incrementAndGet();
                throw e;
            }
        }, sem::queueLength, 1);
        Fiber first = spawnQueued(s, acquireAndRecord(sem, 1, order, "first"), sem::queueLength, 2);
        Fiber second = spawnQueued(s, acquireAndRecord(sem, 2, order, "second"), sem::queueLength, 3);
        large.cancel();
        assertEndedCancelled(large);
        assertEquals(1, cancellations.get());
        first.join(); // served by the cancellation: 1 of the 2 permits
        assertEquals(List.of("first"), order);
        assertEquals(1, sem.availablePermits(), "the cancelled request took nothing");
        assertEquals(1, sem.queueLength(), "second (2 permits) still waits");
        sem.release(1);
        second.join();
        assertEquals(List.of("first", "second"), order);
        assertEquals(0, sem.availablePermits());
        assertEquals(0, sem.queueLength());
    }

    @Test
    void aTimedOutHeadLetsTheRequestsBehindProceed() throws Exception {
        FiberSemaphore sem = new FiberSemaphore(1);
        Duration timeout = Duration.ofMillis(30);
        AtomicBoolean largeGot = new AtomicBoolean(true);
        AtomicInteger elapsed = new AtomicInteger();
        Fiber large = spawnQueued(s, () -> {
            long start = System.nanoTime();
            largeGot.set(sem.tryAcquire(3, timeout));
            elapsed.set((int) ((System.nanoTime() - start) / 1_000_000));
        }, sem::queueLength, 1);
        Fiber small = spawnQueued(s, () -> sem.acquire(1), sem::queueLength, 2);
        small.join(); // served only once the head gave up
        large.join();
        assertFalse(largeGot.get());
        assertTrue(elapsed.get() >= timeout.toMillis(), "gave up after " + elapsed.get() + " ms");
        assertEquals(0, sem.availablePermits());
        assertFalse(inFiber(s, () -> sem.tryAcquire(1, Duration.ZERO)));
        assertEquals(0, sem.queueLength());
    }

    @Test
    void timedAcquireSucceedsWhenReleasedInTime() throws Exception {
        FiberSemaphore sem = new FiberSemaphore(0);
        AtomicBoolean got = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> got.set(sem.tryAcquire(2, Duration.ofMinutes(5))));
        awaitCondition("thread queued", () -> sem.queueLength() == 1);
        inFiber(s, () -> {
            sem.release(2);
            return null;
        });
        t.join();
        assertTrue(got.get());
        assertEquals(0, sem.availablePermits());
    }

    @Test
    void permitsGrantedAsTheWaiterIsCancelledAreKept() {
        FiberSemaphore sem = new FiberSemaphore(0);
        AtomicBoolean acquired = new AtomicBoolean();
        Fiber waiter = spawnQueued(s, () -> {
            sem.acquire(2);
            acquired.set(true);
        }, sem::queueLength, 1);
        SyncTesting.withAllWorkersBusy(s, () -> {
            sem.release(2); // grants the waiter, which cannot run yet
            waiter.cancel();
        });
        waiter.join();
        assertTrue(acquired.get());
        assertEquals(0, sem.availablePermits(), "the permits went to the waiter, not back to the pool");
    }

    @Test
    void anInterruptedThreadStopsWaitingAndTakesNothing() throws Exception {
        FiberSemaphore sem = new FiberSemaphore(0);
        AtomicBoolean threw = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                sem.acquire();
            } catch (FiberCancelledException e) {
                threw.set(Thread.currentThread().isInterrupted());
            }
        });
        awaitCondition("thread queued", () -> sem.queueLength() == 1);
        t.interrupt();
        t.join();
        assertTrue(threw.get());
        sem.release();
        assertEquals(1, sem.availablePermits());
    }

    @Test
    void misuseIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new FiberSemaphore(-1));
        FiberSemaphore sem = new FiberSemaphore(1);
        assertThrows(IllegalArgumentException.class, () -> sem.acquire(-1));
        assertThrows(IllegalArgumentException.class, () -> sem.tryAcquire(-1));
        assertThrows(IllegalArgumentException.class, () -> sem.tryAcquire(-1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> sem.release(-1));
        assertThrows(NullPointerException.class, () -> sem.tryAcquire(1, null));
        assertThrows(IllegalArgumentException.class, () -> sem.release(Integer.MAX_VALUE));
        assertEquals(1, sem.availablePermits(), "failed calls changed nothing");
    }
}
