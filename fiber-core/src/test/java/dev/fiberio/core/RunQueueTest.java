package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RunQueueTest {
    private static final FiberScheduler MANUAL = FiberScheduler.manual("queue-test", f -> { });

    private static Fiber fiber() {
        return new Fiber(MANUAL, null, () -> { });
    }

    @Test
    void fifoUntilFullThenRefusesAndRecovers() {
        RunQueue q = new RunQueue(4);
        assertTrue(q.isEmpty());
        assertNull(q.poll());
        Fiber[] f = {fiber(), fiber(), fiber(), fiber(), fiber()};
        for (int i = 0; i < 4; i++) {
            assertTrue(q.offer(f[i]));
        }
        assertFalse(q.offer(f[4]), "full");
        assertEquals(4, q.size());
        assertSame(f[0], q.poll());
        assertTrue(q.offer(f[4]), "a freed cell is reused on the next lap");
        for (int i = 1; i < 5; i++) {
            assertSame(f[i], q.poll());
        }
        assertNull(q.poll());
        assertTrue(q.isEmpty());
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new RunQueue(3));
        assertThrows(IllegalArgumentException.class, () -> new RunQueue(1));
    }

    @Test
    void concurrentProducersAndConsumersDeliverEachFiberExactlyOnce() throws Exception {
        RunQueue q = new RunQueue(64);
        int producers = 2;
        int consumers = 2;
        int perProducer = 50_000;
        Fiber[] pool = new Fiber[producers * perProducer];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = fiber();
        }
        ConcurrentHashMap<Fiber, Boolean> seen = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(producers + consumers);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(new Thread(() -> {
                await(start);
                for (int i = 0; i < perProducer; i++) {
                    while (!q.offer(pool[base + i])) {
                        Thread.yield(); // full: let a consumer run (2 cores)
                    }
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            threads.add(new Thread(() -> {
                await(start);
                while (taken.get() < pool.length) {
                    Fiber f = q.poll();
                    if (f == null) {
                        Thread.yield();
                        continue;
                    }
                    taken.incrementAndGet();
                    if (seen.put(f, Boolean.TRUE) != null) {
                        duplicates.incrementAndGet();
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, duplicates.get());
        assertEquals(pool.length, seen.size());
        assertTrue(q.isEmpty());
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
