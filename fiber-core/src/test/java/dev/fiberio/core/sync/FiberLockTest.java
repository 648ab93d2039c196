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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FiberLockTest extends SchedulerTest {
    private final FiberLock lock = new FiberLock();

    /** A plain int, guarded only by the lock under test. */
    private int counter;

    @Test
    void fibersAndThreadsIncrementingUnderTheLockLoseNoUpdate() throws Exception {
        int fibers = 16;
        int threads = 2;
        int increments = 5_000;
        List<Fiber> all = new ArrayList<>();
        Runnable body = () -> {
            for (int i = 0; i < increments; i++) {
                lock.lock();
                try {
                    int read = counter;
                    if (i % 500 == 0 && Fiber.current() != null) {
                        Fiber.yield(); // suspend while holding: another worker may resume us
                    }
                    counter = read + 1;
                } finally {
                    lock.unlock();
                }
            }
        };
        for (int i = 0; i < fibers; i++) {
            all.add(s.spawn(body));
        }
        List<Thread> platform = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            platform.add(Thread.ofPlatform().start(body));
        }
        for (Fiber f : all) {
            f.join();
        }
        for (Thread t : platform) {
            t.join();
        }
        assertEquals((fibers + threads) * increments, counter);
        assertFalse(lock.isLocked());
        assertEquals(0, lock.queueLength());
    }

    @Test
    void reentrantHoldsAreCountedAndOnlyTheLastUnlockReleases() throws Exception {
        inFiber(s, () -> {
            lock.lock();
            assertTrue(lock.tryLock());
            lock.lock();
            assertEquals(3, lock.getHoldCount());
            Fiber.yield();
            assertTrue(lock.isHeldByCurrentFiber(), "the fiber, not its carrier thread, owns the lock");
            lock.unlock();
            lock.unlock();
            assertEquals(1, lock.getHoldCount());
            s.spawn(() -> assertFalse(lock.tryLock(), "another fiber cannot take it")).join();
            lock.unlock();
            assertEquals(0, lock.getHoldCount());
            assertFalse(lock.isHeldByCurrentFiber());
            return null;
        });
        assertFalse(lock.isLocked());
        assertTrue(lock.tryLock(), "the thread can take the released lock");
        assertTrue(lock.isHeldByCurrentFiber());
        lock.unlock();
    }

    @Test
    void waitersAcquireInArrivalOrderByDirectHandOff() throws Exception {
        List<Integer> order = new ArrayList<>(); // guarded by lock
        CompletableFuture<Void> gate = new CompletableFuture<>();
        lock.lock();
        List<Fiber> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            waiters.add(spawnQueued(s, () -> {
                lock.lock();
                try {
                    order.add(id);
                    if (id == 0) {
                        Fiber.await(gate); // hold the lock until the test saw the hand-off
                    }
                } finally {
                    lock.unlock();
                }
            }, lock::queueLength, i + 1));
        }
        lock.unlock();
        assertTrue(lock.isLocked(), "unlock handed the lock to the first waiter");
        assertFalse(lock.tryLock(), "no barging past the new owner or the queue");
        assertFalse(lock.isHeldByCurrentFiber());
        assertEquals(4, lock.queueLength());
        gate.complete(null);
        for (Fiber f : waiters) {
            f.join();
        }
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        assertFalse(lock.isLocked());
    }

    @Test
    void threadWaitersAreQueuedFifoWithFibers() throws Exception {
        List<String> order = new ArrayList<>();
        lock.lock();
        Fiber first = spawnQueued(s, () -> record(order, "fiber-1"), lock::queueLength, 1);
        Thread thread = Thread.ofPlatform().start(() -> record(order, "thread"));
        awaitCondition("thread queued", () -> lock.queueLength() == 2);
        Fiber last = spawnQueued(s, () -> record(order, "fiber-2"), lock::queueLength, 3);
        lock.unlock();
        first.join();
        thread.join();
        last.join();
        assertEquals(List.of("fiber-1", "thread", "fiber-2"), order);
    }

    private void record(List<String> order, String who) {
        lock.lock();
        try {
            order.add(who);
        } finally {
            lock.unlock();
        }
    }

    @Test
    void tryLockWithTimeoutGivesUpAfterTheDeadlineAndLeavesTheQueue() throws Exception {
        lock.lock();
        Duration timeout = Duration.ofMillis(30);
        long elapsed = inFiber(s, () -> {
            long start = System.nanoTime();
            assertFalse(lock.tryLock(timeout));
            return System.nanoTime() - start;
        });
        assertTrue(elapsed >= timeout.toNanos(), "returned after " + elapsed + " ns");
        long start = System.nanoTime();
        assertTrue(lock.tryLock(timeout), "reentrant: the owner does not wait");
        lock.unlock();
        assertEquals(0, lock.queueLength());
        Thread t = Thread.ofPlatform().start(() -> assertFalse(lock.tryLock(timeout)));
        t.join();
        assertTrue(System.nanoTime() - start >= timeout.toNanos());
        lock.unlock();
        assertFalse(lock.isLocked(), "timed-out waiters left no QUEUED state behind");
        assertTrue(inFiber(s, () -> {
            boolean got = lock.tryLock(Duration.ZERO);
            lock.unlock();
            return got;
        }));
    }

    @Test
    void cancellingAWaiterThrowsOnceAndTheNextWaiterProceeds() throws Exception {
        AtomicInteger cancellations = new AtomicInteger();
        AtomicBoolean secondAcquired = new AtomicBoolean();
        lock.lock();
        Fiber cancelled = spawnQueued(s, () -> {
            try {
                lock.lock();
            } catch (FiberCancelledException e) {
                cancellations.incrementAndGet();
                assertFalse(lock.isHeldByCurrentFiber());
                throw e;
            }
            lock.unlock();
        }, lock::queueLength, 1);
        Fiber next = spawnQueued(s, () -> {
            lock.lock();
            secondAcquired.set(true);
            lock.unlock();
        }, lock::queueLength, 2);
        cancelled.cancel();
        assertEndedCancelled(cancelled);
        assertEquals(1, cancellations.get());
        assertEquals(1, lock.queueLength());
        assertFalse(secondAcquired.get());
        lock.unlock();
        next.join();
        assertTrue(secondAcquired.get());
        assertFalse(lock.isLocked());
    }

    @Test
    void cancellingTheOnlyWaiterLetsTheOwnerReleaseByItsFastPath() throws Exception {
        lock.lock();
        Fiber waiter = spawnQueued(s, lock::lock, lock::queueLength, 1);
        waiter.cancel();
        assertEndedCancelled(waiter);
        lock.unlock();
        assertFalse(lock.isLocked());
    }

    @Test
    void interruptingAWaitingThreadThrowsAndKeepsItsInterruptStatus() throws Exception {
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        AtomicInteger cancellations = new AtomicInteger();
        Fiber holder = s.spawn(() -> {
            lock.lock();
            Fiber.park(); // hold until unparked
            lock.unlock();
        });
        awaitCondition("fiber holds the lock", lock::isLocked);
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                lock.lock();
            } catch (FiberCancelledException e) {
                cancellations.incrementAndGet();
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        awaitCondition("thread queued", () -> lock.queueLength() == 1);
        t.interrupt();
        t.join();
        assertEquals(1, cancellations.get());
        assertTrue(stillInterrupted.get());
        assertEquals(0, lock.queueLength());
        holder.unpark();
        holder.join();
        assertFalse(lock.isLocked());
    }

    @Test
    void aHandOffRacingWithCancellationIsKeptNotLost() throws Exception {
        AtomicBoolean heldAfterLock = new AtomicBoolean();
        AtomicBoolean cancelledAfterLock = new AtomicBoolean();
        lock.lock();
        Fiber waiter = spawnQueued(s, () -> {
            lock.lock();
            heldAfterLock.set(lock.isHeldByCurrentFiber());
            cancelledAfterLock.set(Fiber.current().isCancelled());
            lock.unlock();
        }, lock::queueLength, 1);
        SyncTesting.withAllWorkersBusy(s, () -> {
            lock.unlock();  // hands the lock to the waiter, which cannot run yet
            waiter.cancel(); // arrives after the grant
        });
        waiter.join();
        assertTrue(heldAfterLock.get(), "the granted waiter returned from lock() holding the lock");
        assertTrue(cancelledAfterLock.get());
        assertFalse(lock.isLocked(), "the lock was released, not leaked");
    }

    @Test
    void misuseIsRejected() throws Exception {
        assertThrows(IllegalMonitorStateException.class, lock::unlock);
        lock.lock();
        assertThrows(IllegalMonitorStateException.class, () -> inFiber(s, () -> {
            lock.unlock();
            return null;
        }), "a fiber cannot unlock the thread's lock");
        assertThrows(NullPointerException.class, () -> lock.tryLock(null));
        lock.unlock();
        assertThrows(IllegalMonitorStateException.class, lock::unlock);
        assertFalse(lock.isLocked());
    }

    @Test
    void ownerIsReportedOnlyToTheOwner() throws Exception {
        inFiber(s, () -> {
            lock.lock();
            return null;
        });
        assertTrue(lock.isLocked());
        assertFalse(lock.isHeldByCurrentFiber());
        assertEquals(0, lock.getHoldCount());
        assertTrue(lock.toString().contains("owner=Fiber"), lock.toString());
    }
}
