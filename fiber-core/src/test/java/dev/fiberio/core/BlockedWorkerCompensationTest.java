package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker whose thread the JVM blocks while it runs a fiber ({@code Object.wait()} on the carrier) does
 * not stop the scheduler: the watchdog lets a spare run the other fibers, and withdraws the spare when
 * the thread runs again. The test orders its threads with latches and conditions it controls; the
 * watchdog's sampling period only decides how soon a condition becomes true.
 */
class BlockedWorkerCompensationTest {
    private static final Duration JOIN = Duration.ofSeconds(60);

    private static FiberScheduler oneWorker() {
        return FiberScheduler.builder().workers(1).name("blocked").watchdogThreshold(Duration.ofMillis(40))
                .shutdownTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void fibersQueuedBehindAFiberInObjectWaitRunOnASpareWhileItStaysBlocked() throws Exception {
        FiberScheduler s = oneWorker();
        Object lock = new Object();
        AtomicBoolean released = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        try {
            Fiber waiter = s.spawn("object-wait", () -> {
                synchronized (lock) {
                    waiting.countDown();
                    while (!released.get()) {
                        try {
                            lock.wait(); // blocks the only regular worker's thread
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            });
            assertTrue(waiting.await(JOIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            Worker regular = s.workers[0];
            TestSchedulers.awaitCondition("the worker's thread waits in Object.wait",
                    () -> regular.thread.getState() == Thread.State.WAITING);
            AtomicInteger ran = new AtomicInteger();
            List<Fiber> others = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                others.add(s.spawn(() -> {
                    Fiber.yield();
                    ran.incrementAndGet();
                }));
            }
            for (Fiber f : others) {
                assertTrue(f.join(JOIN), "a fiber queued behind the blocked worker never ran: " + s.dump());
            }
            assertEquals(16, ran.get());
            assertFalse(waiter.isDone(), "the waiter must still be blocked: nothing released it yet");
            assertEquals(Worker.JVM_BLOCKED, regular.blockedBy(), "the watchdog counts the blocked worker");
            assertEquals(1, s.blockedWorkers());
            synchronized (lock) {
                released.set(true);
                lock.notifyAll();
            }
            assertTrue(waiter.join(JOIN));
            TestSchedulers.awaitCondition("the compensation ends with the run", () -> s.blockedWorkers() == 0);
            assertEquals(0, regular.blockedBy());
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void theSpareIsWithdrawnWhenTheBlockedThreadRunsAgainInTheSameRun() throws Exception {
        FiberScheduler s = oneWorker();
        Object lock = new Object();
        AtomicBoolean released = new AtomicBoolean();
        AtomicBoolean stopComputing = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch computing = new CountDownLatch(1);
        try {
            Fiber waiter = s.spawn("wait-then-compute", () -> {
                synchronized (lock) {
                    waiting.countDown();
                    while (!released.get()) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
                computing.countDown();
                while (!stopComputing.get()) {
                    Thread.onSpinWait(); // runs on, without suspending, in the run that was blocked
                }
            });
            assertTrue(waiting.await(JOIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            TestSchedulers.awaitCondition("the watchdog compensates the blocked worker", () -> s.blockedWorkers() == 1);
            synchronized (lock) {
                released.set(true);
                lock.notifyAll();
            }
            assertTrue(computing.await(JOIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            // One worker's worth of fibers runs: the spare must not keep running beside a thread that runs.
            TestSchedulers.awaitCondition("the compensation ends while the fiber still computes",
                    () -> s.blockedWorkers() == 0);
            assertFalse(waiter.isDone());
            stopComputing.set(true);
            assertTrue(waiter.join(JOIN));
        } finally {
            stopComputing.set(true);
            TestSchedulers.closeChecked(s);
        }
    }
}
