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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class FiberConditionTest extends SchedulerTest {
    private final FiberLock lock = new FiberLock();
    private final FiberCondition condition = lock.newCondition();

    /** Holds the lock, awaits once, records {@code id} (still holding the lock). */
    private Runnable awaitThenRecord(List<Integer> order, int id) {
        return () -> {
            lock.lock();
            try {
                condition.await();
                assertTrue(lock.isHeldByCurrentFiber());
                order.add(id);
            } finally {
                lock.unlock();
            }
        };
    }

    private void signalHoldingTheLock(boolean all) {
        lock.lock();
        try {
            if (all) {
                condition.signalAll();
            } else {
                condition.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    @Test
    void signalWakesOneWaiterAtATimeInFifoOrder() {
        List<Integer> order = new ArrayList<>(); // guarded by lock
        List<Fiber> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(spawnQueued(s, awaitThenRecord(order, i), condition::waiterCount, i + 1));
        }
        for (int i = 0; i < 3; i++) {
            signalHoldingTheLock(false);
            assertEquals(2 - i, condition.waiterCount(), "one signal wakes exactly one waiter");
            waiters.get(i).join();
        }
        assertEquals(List.of(0, 1, 2), order);
        signalHoldingTheLock(false); // nobody waits: a no-op, no permit kept
        assertEquals(0, condition.waiterCount());
    }

    @Test
    void signalAllWakesFibersAndThreads() throws Exception {
        List<Integer> order = new ArrayList<>();
        List<Fiber> fibers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fibers.add(spawnQueued(s, awaitThenRecord(order, i), condition::waiterCount, i + 1));
        }
        Thread thread = Thread.ofPlatform().start(awaitThenRecord(order, 4));
        awaitCondition("thread waits", () -> condition.waiterCount() == 5);
        signalHoldingTheLock(true);
        assertEquals(0, condition.waiterCount());
        for (Fiber f : fibers) {
            f.join();
        }
        thread.join();
        assertEquals(5, order.size());
        assertFalse(lock.isLocked());
    }

    @Test
    void awaitReleasesEveryHoldAndRestoresThem() throws Exception {
        AtomicInteger holdsAfterAwait = new AtomicInteger();
        Fiber waiter = spawnQueued(s, () -> {
            lock.lock();
            lock.lock();
            lock.lock();
            condition.await();
            holdsAfterAwait.set(lock.getHoldCount());
            for (int i = 0; i < 3; i++) {
                lock.unlock();
            }
        }, condition::waiterCount, 1);
        assertTrue(lock.tryLock(), "a waiting fiber holds no part of the lock");
        condition.signal();
        lock.unlock();
        waiter.join();
        assertEquals(3, holdsAfterAwait.get());
        assertFalse(lock.isLocked());
    }

    @Test
    void timedAwaitReturnsFalseAfterTheDeadlineHoldingTheLockAgain() throws Exception {
        Duration timeout = Duration.ofMillis(30);
        long elapsed = inFiber(s, () -> {
            lock.lock();
            lock.lock();
            long start = System.nanoTime();
            try {
                assertFalse(condition.await(timeout));
                assertEquals(2, lock.getHoldCount());
                return System.nanoTime() - start;
            } finally {
                lock.unlock();
                lock.unlock();
            }
        });
        assertTrue(elapsed >= timeout.toNanos(), "returned after " + elapsed + " ns");
        assertEquals(0, condition.waiterCount(), "the timed-out waiter left the queue");
        AtomicBoolean signalled = new AtomicBoolean();
        Fiber waiter = spawnQueued(s, () -> {
            lock.lock();
            try {
                signalled.set(condition.await(Duration.ofMinutes(5)));
            } finally {
                lock.unlock();
            }
        }, condition::waiterCount, 1);
        signalHoldingTheLock(false);
        waiter.join();
        assertTrue(signalled.get());
    }

    @Test
    void cancellationThrowsOnceWithTheLockReacquiredAndTheConditionStillWorks() throws Exception {
        AtomicInteger cancellations = new AtomicInteger();
        AtomicInteger holdsWhenThrown = new AtomicInteger();
        Fiber cancelled = spawnQueued(s, () -> {
            lock.lock();
            lock.lock();
            try {
                condition.await();
            } catch (FiberCancelledException e) {
                cancellations.incrementAndGet();
                holdsWhenThrown.set(lock.getHoldCount());
                lock.unlock();
                throw e;
            } finally {
                lock.unlock();
            }
        }, condition::waiterCount, 1);
        lock.lock(); // the cancelled waiter must wait for this to re-acquire
        cancelled.cancel();
        awaitCondition("cancelled waiter queued for the lock", () -> lock.queueLength() == 1);
        assertEquals(0, condition.waiterCount());
        lock.unlock();
        assertEndedCancelled(cancelled);
        assertEquals(1, cancellations.get());
        assertEquals(2, holdsWhenThrown.get());
        assertFalse(lock.isLocked());

        List<Integer> order = new ArrayList<>();
        Fiber next = spawnQueued(s, awaitThenRecord(order, 7), condition::waiterCount, 1);
        signalHoldingTheLock(false);
        next.join();
        assertEquals(List.of(7), order);
    }

    @Test
    void aCancelledFiberDoesNotEvenReleaseTheLock() {
        AtomicInteger holdsWhenThrown = new AtomicInteger(-1);
        Fiber f = s.spawn(() -> {
            lock.lock();
            Fiber.current().cancel();
            try {
                condition.await();
            } finally {
                holdsWhenThrown.set(lock.getHoldCount());
                lock.unlock();
            }
        });
        assertEndedCancelled(f);
        assertEquals(1, holdsWhenThrown.get());
        assertEquals(0, condition.waiterCount());
        assertFalse(lock.isLocked());
    }

    @Test
    void anInterruptedThreadThrowsWithTheLockHeldAndKeepsItsInterruptStatus() throws Exception {
        AtomicBoolean heldWhenThrown = new AtomicBoolean();
        AtomicBoolean interruptedWhenThrown = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            lock.lock();
            try {
                condition.await();
            } catch (FiberCancelledException e) {
                heldWhenThrown.set(lock.isHeldByCurrentFiber());
                interruptedWhenThrown.set(Thread.currentThread().isInterrupted());
            } finally {
                lock.unlock();
            }
        });
        awaitCondition("thread waits", () -> condition.waiterCount() == 1);
        inFiber(s, () -> {
            lock.lock(); // the interrupted thread re-acquires only after this fiber unlocks
            t.interrupt();
            awaitCondition("interrupted thread queued for the lock", () -> lock.queueLength() == 1);
            lock.unlock();
            return null;
        });
        t.join();
        assertTrue(heldWhenThrown.get());
        assertTrue(interruptedWhenThrown.get());
    }

    @Test
    void aSignalRacingWithCancellationIsConsumedNotLost() {
        AtomicBoolean returnedNormally = new AtomicBoolean();
        Fiber waiter = spawnQueued(s, () -> {
            lock.lock();
            try {
                condition.await();
                returnedNormally.set(Fiber.current().isCancelled());
            } finally {
                lock.unlock();
            }
        }, condition::waiterCount, 1);
        SyncTesting.withAllWorkersBusy(s, () -> {
            signalHoldingTheLock(false); // completes the waiter's node; it cannot run yet
            waiter.cancel();
        });
        waiter.join();
        assertTrue(returnedNormally.get(), "await returned normally in the cancelled fiber");
    }

    @Test
    void misuseWithoutTheLockIsRejected() throws Exception {
        assertThrows(IllegalMonitorStateException.class, condition::await);
        assertThrows(IllegalMonitorStateException.class, () -> condition.await(Duration.ofSeconds(1)));
        assertThrows(IllegalMonitorStateException.class, condition::signal);
        assertThrows(IllegalMonitorStateException.class, condition::signalAll);
        lock.lock();
        assertThrows(IllegalMonitorStateException.class, () -> inFiber(s, () -> {
            condition.signal();
            return null;
        }), "another fiber does not hold the thread's lock");
        assertThrows(NullPointerException.class, () -> condition.await(null));
        assertEquals(1, lock.getHoldCount());
        lock.unlock();
    }

    @Test
    void producersAndConsumersOfFibersAndThreadsLoseNoWakeUp() throws Exception {
        int producersEach = 2_000;
        int fiberPairs = 6;
        int threadPairs = 2;
        int capacity = 4;
        ArrayDeque<Integer> buffer = new ArrayDeque<>(); // guarded by lock
        FiberCondition notFull = lock.newCondition();
        FiberCondition notEmpty = condition;
        LongAdder consumedSum = new LongAdder();
        Runnable producer = () -> {
            for (int i = 1; i <= producersEach; i++) {
                lock.lock();
                try {
                    while (buffer.size() == capacity) {
                        notFull.await();
                    }
                    buffer.add(i);
                    notEmpty.signal();
                } finally {
                    lock.unlock();
                }
            }
        };
        Runnable consumer = () -> {
            for (int i = 0; i < producersEach; i++) {
                int item;
                lock.lock();
                try {
                    while (buffer.isEmpty()) {
                        notEmpty.await();
                    }
                    item = buffer.remove();
                    notFull.signal();
                } finally {
                    lock.unlock();
                }
                consumedSum.add(item);
            }
        };
        List<Fiber> fibers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < fiberPairs; i++) {
            fibers.add(s.spawn(producer));
            fibers.add(s.spawn(consumer));
        }
        for (int i = 0; i < threadPairs; i++) {
            threads.add(Thread.ofPlatform().start(producer));
            threads.add(Thread.ofPlatform().start(consumer));
        }
        for (Fiber f : fibers) {
            f.join();
        }
        for (Thread t : threads) {
            t.join();
        }
        long perProducer = (long) producersEach * (producersEach + 1) / 2;
        assertEquals(perProducer * (fiberPairs + threadPairs), consumedSum.sum());
        assertTrue(buffer.isEmpty());
        assertEquals(0, notFull.waiterCount());
        assertEquals(0, notEmpty.waiterCount());
    }
}
