package dev.fiberio.core;

import dev.fiberio.core.spi.FiberSpi;

import dev.fiberio.core.spi.CarrierLocal;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.core.TestSchedulers.inFiber;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FiberTest {
    private FiberScheduler s;

    @BeforeEach
    void setUp() {
        s = TestSchedulers.create(4);
    }

    @AfterEach
    void tearDown() {
        TestSchedulers.closeChecked(s);
    }

    @Test
    void spawnRunsTheTaskAndJoinWaits() {
        AtomicReference<Fiber> seen = new AtomicReference<>();
        Fiber f = s.spawn("worker-a", () -> seen.set(Fiber.current()));
        f.join();
        assertSame(f, seen.get());
        assertEquals("worker-a", f.name());
        assertEquals(FiberState.TERMINATED, f.state());
        assertSame(s, f.scheduler());
        assertNull(Fiber.current(), "no fiber on the test thread");
    }

    @Test
    void tenThousandFibersEachSuspendingHundredTimesAllComplete() {
        int fibers = 10_000;
        int suspensions = 100;
        LongAdder steps = new LongAdder();
        List<Fiber> all = new ArrayList<>(fibers);
        for (int i = 0; i < fibers; i++) {
            all.add(s.spawn(() -> {
                for (int k = 0; k < suspensions; k++) {
                    if ((k & 1) == 0) {
                        Fiber.yield();
                    } else {
                        Fiber.current().unpark();
                        Fiber.park();
                    }
                    steps.increment();
                }
            }));
        }
        for (Fiber f : all) {
            f.join();
        }
        assertEquals((long) fibers * suspensions, steps.sum());
        assertEquals(0, s.liveFibers());
        assertEquals(0, s.invariantViolations());
    }

    @Test
    void fiberMigratesToAnotherWorkerAndKeepsItsFiberLocals() throws Exception {
        FiberLocal<String> local = FiberLocal.withInitial(() -> "initial");
        CountDownLatch ranElsewhere = new CountDownLatch(1);
        AtomicReference<Thread> before = new AtomicReference<>();
        AtomicReference<Thread> after = new AtomicReference<>();
        AtomicReference<String> valueAfter = new AtomicReference<>();
        Fiber f = s.spawn(() -> {
            assertEquals("initial", local.get());
            local.set("mine");
            before.set(Thread.currentThread());
            // The hook resumes us onto this worker's queue and then holds this worker until we have
            // run elsewhere, so another worker must steal us: a deterministic migration.
            FiberSpi.suspend(fiber -> {
                fiber.resume();
                try {
                    assertTrue(ranElsewhere.await(30, TimeUnit.SECONDS), "fiber was not stolen");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            after.set(Thread.currentThread());
            valueAfter.set(local.get());
            ranElsewhere.countDown();
        });
        f.join();
        assertNotEquals(before.get(), after.get(), "resumed on another carrier");
        assertEquals("mine", valueAfter.get());
        assertThrows(IllegalStateException.class, local::get, "FiberLocal outside a fiber");
    }

    @Test
    void currentFiberStaysRightInJitCompiledCodeAfterMigrations() {
        // Regression: Fiber.current() used Thread.currentThread(), which C2 caches across the suspension
        // in a compiled loop; after a migration it named the old carrier and current() returned null.
        FiberScheduler two = TestSchedulers.create(2);
        try {
            Fiber f = two.spawn(() -> {
                Fiber self = Fiber.current();
                for (int i = 0; i < 400_000; i++) {
                    Fiber.yield();
                    if (Fiber.current() != self) {
                        throw new AssertionError("Fiber.current() wrong after " + i + " yields");
                    }
                }
            });
            f.join();
            assertEquals(FiberState.TERMINATED, f.state());
        } finally {
            TestSchedulers.closeChecked(two);
        }
    }

    @Test
    void carrierLocalFollowsTheCarrierAcrossAMigration() {
        CarrierLocal<Object> local = new CarrierLocal<>(Object::new);
        AtomicReference<Object> inFiberBefore = new AtomicReference<>();
        AtomicReference<Object> inHookOnFirstCarrier = new AtomicReference<>();
        AtomicReference<Object> inFiberAfter = new AtomicReference<>();
        AtomicReference<Object> inHookOnSecondCarrier = new AtomicReference<>();
        CountDownLatch ranElsewhere = new CountDownLatch(1);
        Fiber f = s.spawn(() -> {
            inFiberBefore.set(local.get());
            FiberSpi.suspend(fiber -> {
                inHookOnFirstCarrier.set(local.get()); // on the first carrier, outside the fiber
                fiber.resume();
                awaitLatch(ranElsewhere);               // hold this worker: another one must steal
            });
            inFiberAfter.set(local.get());
            ranElsewhere.countDown();
            FiberSpi.suspend(fiber -> {
                inHookOnSecondCarrier.set(local.get());
                fiber.resume();
            });
        });
        f.join();
        assertSame(inHookOnFirstCarrier.get(), inFiberBefore.get());
        assertSame(inHookOnSecondCarrier.get(), inFiberAfter.get());
        assertNotSame(inFiberBefore.get(), inFiberAfter.get());
        Object onTestThread = local.get();
        assertSame(onTestThread, local.get(), "a plain thread keeps its value");
        assertNotSame(onTestThread, inFiberBefore.get());
    }

    @Test
    void fiberLocalsAreSeparatePerFiberAndRemovable() throws Exception {
        FiberLocal<Integer> local = new FiberLocal<>();
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        List<Fiber> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int v = i;
            all.add(s.spawn(() -> {
                assertNull(local.get());
                local.set(v);
                Fiber.yield();
                seen.add(local.get());
                local.remove();
                assertNull(local.get());
            }));
        }
        for (Fiber f : all) {
            f.join();
        }
        assertEquals(100, seen.size());
    }

    @Test
    void sleepSuspendsAtLeastTheDuration() throws Exception {
        long elapsed = inFiber(s, () -> {
            long t0 = System.nanoTime();
            Fiber.sleep(Duration.ofMillis(30));
            return System.nanoTime() - t0;
        });
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(30), "slept " + elapsed + " ns");
    }

    @Test
    void cancelWakesASleepingFiberWithFiberCancelledException() {
        CountDownLatch sleeping = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Fiber f = s.spawn(() -> {
            sleeping.countDown();
            try {
                Fiber.sleep(Duration.ofHours(1));
            } catch (FiberCancelledException e) {
                thrown.set(e);
                throw e;
            }
        });
        awaitLatch(sleeping);
        awaitCondition("fiber suspended", () -> f.state() == FiberState.SUSPENDED);
        f.cancel();
        assertThrows(FiberCancelledException.class, f::join);
        assertInstanceOf(FiberCancelledException.class, thrown.get());
        assertTrue(f.isCancelled());
    }

    @Test
    void cancelBeforeTheFiberRunsSkipsItsTask() {
        AtomicBoolean ran = new AtomicBoolean();
        CountDownLatch hold = new CountDownLatch(1);
        // Occupy every worker so the victim stays queued until it is cancelled.
        List<Fiber> blockers = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            blockers.add(s.spawn(() -> {
                started.countDown();
                awaitLatch(hold);
            }));
        }
        awaitLatch(started);
        Fiber victim = s.spawn(() -> ran.set(true));
        victim.cancel();
        hold.countDown();
        assertThrows(FiberCancelledException.class, victim::join);
        assertFalse(ran.get());
        blockers.forEach(Fiber::join);
    }

    @Test
    void uncaughtExceptionGoesToTheHandlerAndJoinAndTheWorkerSurvives() {
        List<Throwable> handled = new ArrayList<>();
        CountDownLatch handledLatch = new CountDownLatch(1);
        try (FiberScheduler one = FiberScheduler.builder().workers(1).name("one")
                .uncaughtExceptionHandler((f, t) -> {
                    handled.add(t);
                    handledLatch.countDown();
                }).build()) {
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            Fiber f = one.spawn(() -> {
                throw boom;
            });
            CompletionException e = assertThrows(CompletionException.class, f::join);
            assertSame(boom, e.getCause());
            awaitLatch(handledLatch);
            assertSame(boom, handled.get(0));
            AtomicBoolean ranAfter = new AtomicBoolean();
            one.spawn(() -> ranAfter.set(true)).join();
            assertTrue(ranAfter.get(), "the single worker survived the exception");
            assertThrows(CompletionException.class, () -> f.join(Duration.ofSeconds(1)));
            assertTrue(f.onTermination().isCompletedExceptionally());
        }
    }

    @Test
    void joinWithTimeoutReturnsFalseWhileTheFiberRunsAndTrueAfter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Fiber waiter = s.spawn(() -> {
            while (release.getCount() > 0) {
                Fiber.sleep(Duration.ofMillis(1));
            }
        });
        assertFalse(waiter.join(Duration.ofMillis(20)));
        boolean fromFiber = inFiber(s, () -> waiter.join(Duration.ofMillis(20)));
        assertFalse(fromFiber);
        release.countDown();
        assertTrue(waiter.join(Duration.ofSeconds(30)));
        assertTrue(inFiber(s, () -> waiter.join(Duration.ofMillis(1))));
    }

    @Test
    void aFiberJoiningAnotherSuspendsUntilItEnds() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        Fiber target = s.spawn(() -> Fiber.await(gate));
        Fiber joiner = s.spawn(target::join);
        awaitCondition("joiner suspended", () -> joiner.state() == FiberState.SUSPENDED);
        // The target may still be switching out on the other worker; it must get there and stay there.
        awaitCondition("target suspended", () -> target.state() == FiberState.SUSPENDED);
        assertEquals(FiberState.SUSPENDED, joiner.state(), "the joiner waits while its target is suspended");
        gate.complete(null);
        joiner.join();
        assertEquals(FiberState.TERMINATED, target.state());
        assertThrows(IllegalStateException.class, () -> inFiber(s, () -> {
            Fiber.current().join();
            return null;
        }));
    }

    @Test
    void blockingRunsOffTheWorkersAndReturnsOrRethrowsUnwrapped() throws Exception {
        String thread = inFiber(s, () -> Fiber.blocking(() -> Thread.currentThread().getName()));
        assertTrue(thread.contains("blocking"), thread);
        IOException io = new IOException("disk");
        IOException thrown = assertThrows(IOException.class, () -> inFiber(s, () -> Fiber.blocking(() -> {
            throw io;
        })));
        assertSame(io, thrown);
    }

    @Test
    void cancellingAFiberInBlockingInterruptsTheCall() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Fiber f = s.spawn(() -> {
            try {
                Fiber.blocking(() -> {
                    inCall.countDown();
                    try {
                        Thread.sleep(TimeUnit.HOURS.toMillis(1));
                        interrupted.complete(false);
                    } catch (InterruptedException e) {
                        interrupted.complete(true);
                    }
                    return null;
                });
            } catch (FiberCancelledException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitLatch(inCall);
        f.cancel();
        assertThrows(FiberCancelledException.class, f::join);
        assertTrue(interrupted.get(30, TimeUnit.SECONDS));
    }

    @Test
    void awaitReturnsTheResultOfAFutureCompletedByAnotherThread() throws Exception {
        CompletableFuture<String> future = new CompletableFuture<>();
        Fiber f = s.spawn(() -> assertEquals("done", Fiber.await(future)));
        awaitCondition("fiber suspended", () -> f.state() == FiberState.SUSPENDED);
        Thread t = new Thread(() -> future.complete("done"));
        t.start();
        f.join();
        t.join();
        CompletableFuture<String> failed = CompletableFuture.failedFuture(new IOException("x"));
        Throwable e = inFiber(s, () -> assertThrows(CompletionException.class, () -> Fiber.await(failed)));
        assertInstanceOf(IOException.class, e.getCause());
    }

    @Test
    void fiberOnlyMethodsThrowIllegalStateExceptionOnAThread() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Fiber::yield);
        assertTrue(e.getMessage().contains("must be called from a fiber"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Fiber.sleep(Duration.ofMillis(1)));
        assertThrows(IllegalStateException.class, Fiber::park);
        assertThrows(IllegalStateException.class, () -> Fiber.parkUntil(System.nanoTime()));
        assertThrows(IllegalStateException.class, () -> FiberSpi.suspend(f -> { }));
        assertThrows(IllegalStateException.class, () -> Fiber.blocking(() -> 1));
        assertThrows(IllegalStateException.class, () -> Fiber.await(new CompletableFuture<>()));
        assertThrows(IllegalStateException.class, () -> new FiberLocal<String>().set("x"));
        assertThrows(NullPointerException.class, () -> s.spawn(null));
    }

    @Test
    void closeWaitsForFibersCancelsStragglersAndRejectsNewOnes() {
        FiberScheduler local = FiberScheduler.builder().workers(2).name("closing")
                .shutdownTimeout(Duration.ofMillis(200)).build();
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            local.spawn(() -> {
                Fiber.sleep(Duration.ofMillis(5));
                finished.incrementAndGet();
            });
            local.spawn(() -> {
                try {
                    Fiber.park();
                    Fiber.sleep(Duration.ofHours(1));
                } catch (FiberCancelledException e) {
                    cancelled.incrementAndGet();
                    throw e;
                }
            });
        }
        local.close();
        assertEquals(50, finished.get());
        assertEquals(50, cancelled.get());
        assertEquals(0, local.liveFibers());
        assertTrue(local.isClosed());
        assertThrows(RejectedExecutionException.class, () -> local.spawn(() -> { }));
        local.close(); // idempotent
        assertEquals(0, local.invariantViolations());
        for (Worker w : local.workers) {
            assertFalse(w.thread.isAlive(), w.thread.getName() + " stopped");
        }
    }

    @Test
    void closeFromInsideOwnFiberIsRejected() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        s.spawn(() -> {
            try {
                s.close();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }).join();
        assertInstanceOf(IllegalStateException.class, thrown.get());
        assertFalse(s.isClosed());
    }

    @Test
    void dumpListsSuspendedFibersWithTheirStacks() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        Fiber f = s.spawn("dumped-fiber", () -> parkedInAMethodWithAKnownName(gate));
        awaitCondition("fiber suspended", () -> f.state() == FiberState.SUSPENDED);
        String dump = s.dump();
        assertTrue(dump.contains("dumped-fiber"), dump);
        assertTrue(dump.contains("SUSPENDED"), dump);
        assertTrue(dump.contains("parkedInAMethodWithAKnownName"), dump);
        FiberScheduler.FiberInfo info = s.fibers().stream().filter(i -> i.id() == f.id()).findFirst().orElseThrow();
        assertEquals(FiberState.SUSPENDED, info.state());
        gate.complete(null);
        f.join();
    }

    @Test
    void dumpRacingResumesLosesNoResume() {
        // Fibers park and are unparked continuously while dumps inspect their frozen stacks.
        AtomicBoolean stop = new AtomicBoolean();
        List<Fiber> all = new ArrayList<>();
        LongAdder rounds = new LongAdder();
        for (int i = 0; i < 8; i++) {
            all.add(s.spawn(() -> {
                for (int k = 0; k < 2_000; k++) {
                    Fiber self = Fiber.current();
                    Thread t = new Thread(self::unpark);
                    if ((k & 63) == 0) {
                        t.start();
                        Fiber.park();
                        joinThread(t);
                    } else {
                        Fiber.yield();
                    }
                    rounds.increment();
                }
            }));
        }
        Thread dumper = new Thread(() -> {
            while (!stop.get()) {
                assertNotNull(s.dump());
            }
        });
        dumper.start();
        all.forEach(Fiber::join);
        stop.set(true);
        joinThread(dumper);
        assertEquals(8 * 2_000, rounds.sum());
        assertEquals(0, s.invariantViolations());
    }

    @Test
    void watchdogReportsAFiberThatNeverSuspends() {
        try (FiberScheduler w = FiberScheduler.builder().workers(1).name("wd")
                .watchdogThreshold(Duration.ofMillis(20)).build()) {
            Watchdog dog = watchdogOf(w);
            Fiber hog = w.spawn(() -> {
                while (dog.reports() == 0) {
                    Thread.onSpinWait();
                }
            });
            hog.join();
            assertTrue(dog.reports() >= 1);
        }
    }

    @Test
    void builderRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> FiberScheduler.builder().workers(0));
        assertThrows(IllegalArgumentException.class, () -> FiberScheduler.builder().name(""));
        assertThrows(IllegalArgumentException.class, () -> FiberScheduler.builder().watchdogThreshold(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> FiberScheduler.builder().shutdownTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> FiberScheduler.builder().blockingThreads(0));
    }

    @Test
    void executorViewAndDefaultSchedulerRunFibers() throws Exception {
        CompletableFuture<Boolean> inFiber = new CompletableFuture<>();
        s.executor().execute(() -> inFiber.complete(Fiber.current() != null));
        assertTrue(inFiber.get(30, TimeUnit.SECONDS));
        Fiber d = Fiber.spawn(() -> assertSame(FiberScheduler.defaultScheduler(), Fiber.current().scheduler()));
        d.join();
        Fiber child = inFiber(s, () -> Fiber.spawn(() -> { }));
        assertSame(s, child.scheduler(), "spawn inside a fiber uses the fiber's scheduler");
        child.join();
    }

    private static void parkedInAMethodWithAKnownName(CompletableFuture<Void> gate) {
        Fiber.await(gate);
    }

    private static Watchdog watchdogOf(FiberScheduler sched) {
        try {
            var field = FiberScheduler.class.getDeclaredField("watchdog");
            field.setAccessible(true);
            return (Watchdog) field.get(sched);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static void awaitLatch(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS), "latch");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static void joinThread(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
