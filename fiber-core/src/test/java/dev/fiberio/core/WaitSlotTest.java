package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.core.TestSchedulers.inFiber;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WaitSlotTest {
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
    void signalBeforeAwaitLeavesAPermitConsumedOnce() throws Exception {
        WaitSlot slot = new WaitSlot();
        assertTrue(slot.signal());
        assertFalse(slot.signal(), "signals collapse into one permit");
        assertEquals(WaitSlot.READY, slot.state());
        assertEquals(WaitSlot.SIGNALED, (int) inFiber(s, slot::await));
        assertEquals(WaitSlot.IDLE, slot.state());
        // No permit left: a timed wait now times out.
        assertEquals(WaitSlot.TIMED_OUT, (int) inFiber(s, () -> slot.awaitUntil(System.nanoTime() + 1_000_000)));
    }

    @Test
    void interruptWithoutAWaiterLeavesNoPermit() {
        WaitSlot slot = new WaitSlot();
        assertFalse(slot.interrupt(WaitSlot.CANCELLED));
        assertEquals(WaitSlot.IDLE, slot.state());
        assertEquals(WaitSlot.TIMED_OUT, slot.awaitUntil(System.nanoTime() + 1_000_000));
    }

    @Test
    void fiberWaiterIsWokenByAThreadWithItsReason() throws Exception {
        WaitSlot slot = new WaitSlot();
        CompletableFuture<Integer> reason = new CompletableFuture<>();
        Fiber f = s.spawn(() -> reason.complete(slot.await()));
        awaitCondition("waiter suspended", () -> slot.state() == WaitSlot.SUSPENDED);
        assertTrue(slot.hasWaiter());
        assertEquals(FiberState.SUSPENDED, f.state());
        assertTrue(slot.interrupt(WaitSlot.CLOSED));
        assertEquals(WaitSlot.CLOSED, reason.get(30, TimeUnit.SECONDS));
        f.join();
        assertEquals(WaitSlot.IDLE, slot.state());
    }

    @Test
    void threadWaiterIsWokenByAFiberAndTimesOutAlone() throws Exception {
        WaitSlot slot = new WaitSlot();
        Thread waker = new Thread(() -> {
            awaitCondition("thread waiting", () -> slot.state() == WaitSlot.SUSPENDED);
            s.spawn(slot::signal);
        });
        waker.start();
        assertEquals(WaitSlot.SIGNALED, slot.await());
        waker.join();
        long t0 = System.nanoTime();
        assertEquals(WaitSlot.TIMED_OUT, slot.awaitUntil(t0 + TimeUnit.MILLISECONDS.toNanos(5)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(5));
    }

    @Test
    void interruptedThreadWaiterReturnsCancelledAndKeepsTheInterrupt() {
        WaitSlot slot = new WaitSlot();
        Thread.currentThread().interrupt();
        try {
            assertEquals(WaitSlot.CANCELLED, slot.await());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aSecondConcurrentWaiterIsRejected() throws Exception {
        WaitSlot slot = new WaitSlot();
        Fiber first = s.spawn(slot::await);
        awaitCondition("first waiting", slot::hasWaiter);
        assertThrows(IllegalStateException.class, () -> inFiber(s, slot::await));
        slot.signal();
        first.join();
    }

    @Test
    void timedFiberWaitTimesOutAfterTheDeadline() throws Exception {
        WaitSlot slot = new WaitSlot();
        long[] elapsed = new long[1];
        int reason = inFiber(s, () -> {
            long t0 = System.nanoTime();
            int r = slot.awaitUntil(t0 + TimeUnit.MILLISECONDS.toNanos(20));
            elapsed[0] = System.nanoTime() - t0;
            return r;
        });
        assertEquals(WaitSlot.TIMED_OUT, reason);
        assertTrue(elapsed[0] >= TimeUnit.MILLISECONDS.toNanos(20), "elapsed " + elapsed[0]);
        assertEquals(WaitSlot.IDLE, slot.state());
        // An already-passed deadline does not suspend forever.
        assertEquals(WaitSlot.TIMED_OUT, (int) inFiber(s, () -> slot.awaitUntil(System.nanoTime() - 1)));
    }

    /**
     * The post-switch hook judges a deadline by the clock reading its worker took before the run, so a
     * deadline that passes during the run is left to a timer: it must still end the wait while the one
     * worker never runs out of work (a fiber that keeps yielding), i.e. from the worker's busy loop.
     */
    @Test
    void aDeadlineThatPassesWhileTheFiberRunsEndsTheWaitOnABusyWorker() throws Exception {
        FiberScheduler one = TestSchedulers.create(1);
        try {
            WaitSlot slot = new WaitSlot();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Fiber busy = one.spawn(() -> {
                while (!done.get()) {
                    Fiber.yield();
                }
            });
            long[] late = new long[1];
            int reason = inFiber(one, () -> {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
                while (System.nanoTime() - deadline <= 0) {
                    Thread.onSpinWait(); // the deadline passes during this run
                }
                int r = slot.awaitUntil(deadline);
                late[0] = System.nanoTime() - deadline;
                return r;
            });
            done.set(true);
            busy.join();
            assertEquals(WaitSlot.TIMED_OUT, reason);
            assertTrue(late[0] > 0, "returned before its deadline");
            assertEquals(WaitSlot.IDLE, slot.state());
        } finally {
            TestSchedulers.closeChecked(one);
        }
    }

    @Test
    void cancelledFiberWaitReturnsCancelled() throws Exception {
        WaitSlot slot = new WaitSlot();
        CompletableFuture<Integer> reason = new CompletableFuture<>();
        Fiber f = s.spawn(() -> reason.complete(slot.await()));
        awaitCondition("waiting", slot::hasWaiter);
        f.cancel();
        assertEquals(WaitSlot.CANCELLED, reason.get(30, TimeUnit.SECONDS));
        f.join();
        // A cancelled fiber does not wait at all.
        Fiber g = s.spawn(() -> {
            Fiber.current().cancel();
            reason.obtrudeValue(slot.await());
        });
        g.join();
        assertEquals(WaitSlot.CANCELLED, reason.get());
    }

    @Test
    void uninterruptibleWaitIgnoresCancellationAndInterruptsUntilAWakerComes() throws Exception {
        WaitSlot slot = new WaitSlot();
        CompletableFuture<Integer> reason = new CompletableFuture<>();
        Fiber f = s.spawn(() -> {
            Fiber.current().cancel();
            reason.complete(slot.awaitUninterruptibly()); // suspends although cancelled
        });
        // SUSPENDED is published by the post-switch hook, after the fiber left RUNNING; hasWaiter() alone
        // is already true while the fiber is still switching out.
        awaitCondition("cancelled fiber waiting", () -> slot.state() == WaitSlot.SUSPENDED);
        assertEquals(FiberState.SUSPENDED, f.state());
        f.cancel();
        assertEquals(WaitSlot.SUSPENDED, slot.state(), "cancel does not end an uninterruptible wait");
        slot.signal();
        assertEquals(WaitSlot.SIGNALED, reason.get(30, TimeUnit.SECONDS));
        f.join();

        Thread.currentThread().interrupt();
        Thread waker = new Thread(() -> {
            awaitCondition("thread waiting", slot::hasWaiter);
            slot.signal();
        });
        waker.start();
        try {
            assertEquals(WaitSlot.SIGNALED, slot.awaitUninterruptibly());
            assertTrue(Thread.currentThread().isInterrupted(), "interrupt status restored");
        } finally {
            Thread.interrupted();
            waker.join();
        }
    }

    @Test
    void pingPongBetweenFibersAndThreadsLosesNoWakeup() {
        // Two fibers and one platform thread pass a token round a ring of slots; any lost wake-up hangs
        // (and is reported by the join bound), any double resume is counted as an invariant violation.
        int rounds = 20_000;
        WaitSlot[] slots = {new WaitSlot(), new WaitSlot(), new WaitSlot()};
        AtomicInteger passes = new AtomicInteger();
        List<Fiber> fibers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int me = i;
            fibers.add(s.spawn(() -> {
                for (int r = 0; r < rounds; r++) {
                    slots[me].await();
                    passes.incrementAndGet();
                    slots[(me + 1) % 3].signal();
                }
            }));
        }
        Thread t = new Thread(() -> {
            for (int r = 0; r < rounds; r++) {
                slots[2].await();
                passes.incrementAndGet();
                slots[0].signal();
            }
        });
        t.start();
        slots[0].signal();
        fibers.forEach(f -> assertTrue(f.join(java.time.Duration.ofSeconds(60)), "ring stalled"));
        FiberTest.joinThread(t);
        assertEquals(3 * rounds, passes.get());
    }

    @Test
    @SuppressWarnings("restricted") // the test builds an upcall on purpose
    void aWaitInsideANativeUpcallIsPinnedToItsCarrierAndASpareWorkerRunsTheWaker() throws Throwable {
        FiberScheduler one = TestSchedulers.create(1);
        try {
            WaitSlot slot = new WaitSlot();
            AtomicReference<Throwable> inUpcall = new AtomicReference<>();
            AtomicInteger reason = new AtomicInteger(-1);
            MethodHandle target = MethodHandles.lookup().findStatic(WaitSlotTest.class, "compareAndWaitPinned",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));
            UPCALL_SLOT.set(slot);
            UPCALL_ERROR.set(inUpcall);
            UPCALL_REASON.set(reason);
            Linker linker = Linker.nativeLinker();
            MethodHandle qsort = linker.downcallHandle(linker.defaultLookup().find("qsort").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
            Fiber sorter = one.spawn(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    FunctionDescriptor cmp = FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS.withTargetLayout(ValueLayout.JAVA_INT),
                            ValueLayout.ADDRESS.withTargetLayout(ValueLayout.JAVA_INT));
                    MemorySegment stub = linker.upcallStub(target, cmp, arena);
                    MemorySegment array = arena.allocateFrom(ValueLayout.JAVA_INT, 2, 1);
                    qsort.invokeExact(array, 2L, 4L, stub);
                    assertEquals(1, array.getAtIndex(ValueLayout.JAVA_INT, 0));
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            });
            TestSchedulers.awaitCondition("the upcall waits", () -> slot.state() == WaitSlot.SUSPENDED);
            // The only worker is blocked by the pinned wait: this fiber can run only on a spare worker.
            one.spawn(slot::signal);
            assertTrue(sorter.join(java.time.Duration.ofSeconds(30)), "the pinned wait was never woken");
            assertNull(inUpcall.get());
            assertEquals(WaitSlot.SIGNALED, reason.get());
            assertEquals(WaitSlot.IDLE, slot.state());
        } finally {
            TestSchedulers.closeChecked(one);
        }
    }

    @Test
    void aManualSchedulerLetsAnyThreadDriveTheHandshakeStepByStep() {
        java.util.ArrayDeque<Fiber> submitted = new java.util.ArrayDeque<>();
        FiberScheduler manual = FiberScheduler.manual("manual", submitted::add);
        WaitSlot slot = new WaitSlot();
        AtomicInteger reason = new AtomicInteger(-1);
        Fiber f = manual.spawn(() -> reason.set(slot.await()));
        assertEquals(1, submitted.size());
        submitted.poll().runOnCallingThread();       // runs until await() suspends; the hook publishes it
        assertEquals(WaitSlot.SUSPENDED, slot.state());
        assertEquals(FiberState.SUSPENDED, f.state());
        assertTrue(submitted.isEmpty(), "nothing resumed yet");
        assertTrue(slot.interrupt(WaitSlot.CLOSED));  // the waker resumes: one submission
        assertEquals(1, submitted.size());
        submitted.poll().runOnCallingThread();
        assertEquals(WaitSlot.CLOSED, reason.get());
        assertEquals(FiberState.TERMINATED, f.state());
        assertEquals(0, manual.invariantViolations());
        manual.close();
    }

    private static final AtomicReference<WaitSlot> UPCALL_SLOT = new AtomicReference<>();
    private static final AtomicReference<AtomicReference<Throwable>> UPCALL_ERROR = new AtomicReference<>();

    private static final AtomicReference<AtomicInteger> UPCALL_REASON = new AtomicReference<>();

    @SuppressWarnings("unused") // called from native code
    private static int compareAndWaitPinned(MemorySegment a, MemorySegment b) {
        try {
            Thread before = Thread.currentThread();
            UPCALL_REASON.get().set(UPCALL_SLOT.get().await());
            if (Thread.currentThread() != before) {
                throw new AssertionError("a pinned fiber continued on another carrier");
            }
        } catch (Throwable t) { // an exception must not escape an upcall
            UPCALL_ERROR.get().compareAndSet(null, t);
        }
        return Integer.compare(a.get(ValueLayout.JAVA_INT, 0), b.get(ValueLayout.JAVA_INT, 0));
    }
}
