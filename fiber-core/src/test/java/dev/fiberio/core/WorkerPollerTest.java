package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.Poller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Pollers attached to one worker ({@link FiberScheduler#attachPoller(Poller, int)}): only that worker drives them. */
class WorkerPollerTest {

    @Test
    void aWorkersOwnPollerIsDrivenByThatWorkerOnly() throws Exception {
        FiberScheduler s = FiberScheduler.builder().workers(2).name("own").build();
        try {
            RecordingPoller p0 = new RecordingPoller();
            RecordingPoller p1 = new RecordingPoller();
            s.attachPoller(p0, 0);
            s.attachPoller(p1, 1);
            List<Fiber> fibers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                fibers.add(s.spawn(() -> {
                    for (int k = 0; k < 100; k++) {
                        Fiber.yield();
                    }
                }));
            }
            for (Fiber f : fibers) {
                f.join();
            }
            TestSchedulers.awaitCondition("both workers polled their own poller",
                    () -> p0.threads.size() == 1 && p1.threads.size() == 1);
            assertEquals(Set.of("fiberio-own-worker-0"), p0.threads);
            assertEquals(Set.of("fiberio-own-worker-1"), p1.threads);
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void theCurrentWorkerIndexIsTheCarriersInAFiberAndMinusOneElsewhere() throws Exception {
        FiberScheduler s = FiberScheduler.builder().workers(2).name("index").build();
        try {
            assertEquals(-1, FiberScheduler.currentWorkerIndex());
            int inFiber = TestSchedulers.inFiber(s, FiberScheduler::currentWorkerIndex);
            assertTrue(inFiber == 0 || inFiber == 1, "index " + inFiber);
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void aPollerForAWorkerThatDoesNotExistIsRefused() {
        FiberScheduler s = FiberScheduler.builder().workers(1).name("refused").build();
        try {
            assertThrows(IllegalArgumentException.class, () -> s.attachPoller(new RecordingPoller(), 1));
            assertThrows(IllegalArgumentException.class, () -> s.attachPoller(new RecordingPoller(), -1));
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    /** Records the threads that poll it; blocks at most a few milliseconds. */
    private static final class RecordingPoller implements Poller {
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        private volatile Thread blocked;

        @Override
        public int poll(long timeoutNanos) {
            threads.add(Thread.currentThread().getName());
            if (timeoutNanos == 0) {
                return 0;
            }
            blocked = Thread.currentThread();
            long max = Duration.ofMillis(5).toNanos();
            LockSupport.parkNanos(this, timeoutNanos < 0 ? max : Math.min(timeoutNanos, max));
            blocked = null;
            return 0;
        }

        @Override
        public void wakeup() {
            Thread t = blocked;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void close() {
        }
    }
}
