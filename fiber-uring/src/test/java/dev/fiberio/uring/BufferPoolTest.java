package dev.fiberio.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The ring's pool of operation buffers: reuse, its bound, close, bad input, and many threads at once. */
class BufferPoolTest {

    /** Heap segments standing for malloc'd buffers; counts frees per buffer. */
    static final class CountingMemory implements BufferPool.Memory {
        final Map<MemorySegment, Integer> frees = Collections.synchronizedMap(new IdentityHashMap<>());
        final AtomicInteger allocated = new AtomicInteger();
        volatile boolean exhausted;

        @Override
        public MemorySegment allocate(long size) {
            if (exhausted) {
                return MemorySegment.NULL;
            }
            allocated.incrementAndGet();
            return MemorySegment.ofArray(new byte[(int) size]);
        }

        @Override
        public void free(MemorySegment m) {
            frees.merge(m, 1, Integer::sum);
        }
    }

    @Test
    void aGivenBackBufferIsLeasedAgainInsteadOfANewOne() throws Exception {
        CountingMemory heap = new CountingMemory();
        BufferPool pool = new BufferPool(64, 4, heap);
        MemorySegment first = pool.lease();
        assertEquals(64, first.byteSize());
        assertEquals(1, pool.leased());
        pool.giveBack(first);
        assertEquals(0, pool.leased());
        assertEquals(1, pool.idle());
        assertSame(first, pool.lease());
        assertEquals(1, heap.allocated.get(), "reused, not allocated again");
        assertEquals(0, pool.idle());
    }

    @Test
    void atMostMaxIdleFreeBuffersAreKeptAndTheRestAreFreed() throws Exception {
        CountingMemory heap = new CountingMemory();
        BufferPool pool = new BufferPool(16, 3, heap);
        List<MemorySegment> leased = lease(pool, 10);
        assertEquals(10, pool.leased());
        for (MemorySegment m : leased) {
            pool.giveBack(m);
        }
        assertEquals(0, pool.leased());
        assertEquals(3, pool.idle());
        assertEquals(7, heap.frees.size());
        assertEquals(7, pool.frees());
        assertTrue(heap.frees.values().stream().allMatch(n -> n == 1), "each freed once");
        // Around the ring of cells again: the bound holds lap after lap.
        for (int lap = 0; lap < 5; lap++) {
            lease(pool, 5).forEach(pool::giveBack);
            assertEquals(3, pool.idle(), "lap " + lap);
        }
        assertEquals(pool.allocations() - pool.frees(), pool.idle());
    }

    @Test
    void aPoolOfOneKeepsOneLapAfterLap() throws Exception {
        CountingMemory heap = new CountingMemory();
        BufferPool pool = new BufferPool(16, 1, heap);
        for (int lap = 0; lap < 4; lap++) {
            List<MemorySegment> two = lease(pool, 2);
            two.forEach(pool::giveBack);
            assertEquals(1, pool.idle(), "lap " + lap);
            assertSame(two.get(0), pool.lease(), "the first returned was kept");
            pool.giveBack(two.get(0));
        }
        assertEquals(pool.allocations() - pool.frees(), pool.idle());
    }

    @Test
    void aPoolThatKeepsNothingFreesEveryReturn() throws Exception {
        CountingMemory heap = new CountingMemory();
        BufferPool pool = new BufferPool(16, 0, heap);
        MemorySegment a = pool.lease();
        pool.giveBack(a);
        assertEquals(0, pool.idle());
        assertEquals(1, heap.frees.get(a));
        assertNotSame(a, pool.lease());
    }

    @Test
    void closeFreesTheFreeBuffersAndEveryBufferGivenBackAfter() throws Exception {
        CountingMemory heap = new CountingMemory();
        BufferPool pool = new BufferPool(16, 8, heap);
        List<MemorySegment> leased = lease(pool, 5);
        pool.giveBack(leased.remove(0));
        pool.giveBack(leased.remove(0));
        assertEquals(2, pool.idle());
        pool.close();
        assertEquals(0, pool.idle());
        assertEquals(2, pool.frees(), "the free ones at once");
        for (MemorySegment m : leased) {
            pool.giveBack(m); // still leased at the close: freed when it comes back
        }
        MemorySegment late = pool.lease(); // a lease after the close works, and its buffer is freed on return
        pool.giveBack(late);
        assertEquals(0, pool.idle());
        assertEquals(0, pool.leased());
        assertEquals(pool.allocations(), pool.frees(), "every buffer freed");
        assertEquals(heap.allocated.get(), heap.frees.size());
        assertTrue(heap.frees.values().stream().allMatch(n -> n == 1), "each freed once");
        pool.close(); // idempotent
        assertEquals(pool.allocations(), pool.frees());
    }

    @Test
    void badInputGetsAClearException() throws Exception {
        CountingMemory heap = new CountingMemory();
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(0, 4, heap));
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new BufferPool(16, -1, heap));
        assertTrue(negative.getMessage().contains("fiberio.uring.poolMax"), negative.getMessage());
        BufferPool pool = new BufferPool(16, 4, heap);
        assertThrows(IllegalArgumentException.class, () -> pool.giveBack(MemorySegment.ofArray(new byte[8])));
        assertEquals(0, pool.idle());
        heap.exhausted = true;
        IOException e = assertThrows(IOException.class, pool::lease);
        assertTrue(e.getMessage().contains("malloc"), e.getMessage());
        assertEquals(0, pool.leased(), "a failed lease counts nothing");
    }

    @Test
    void libcBuffersAreWritableAndAllFreedByClose() throws Exception {
        long before = BufferPool.LIVE.get();
        BufferPool pool = new BufferPool(16 * 1024, 2);
        List<MemorySegment> leased = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            MemorySegment m = pool.lease();
            m.fill((byte) i); // all of it is ours
            assertEquals((byte) i, m.get(ValueLayout.JAVA_BYTE, m.byteSize() - 1));
            leased.add(m);
        }
        assertEquals(before + 4, BufferPool.LIVE.get());
        leased.forEach(pool::giveBack);
        assertEquals(before + 2, BufferPool.LIVE.get(), "two kept, two freed");
        pool.close();
        assertEquals(before, BufferPool.LIVE.get());
    }

    private static List<MemorySegment> lease(BufferPool pool, int n) throws IOException {
        List<MemorySegment> leased = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leased.add(pool.lease());
        }
        return leased;
    }

    @Test
    void manyThreadsNeverShareALeasedBufferAndLoseNone() throws Exception {
        CountingMemory heap = new CountingMemory();
        BufferPool pool = new BufferPool(8, 4, heap);
        Set<MemorySegment> out = ConcurrentHashMap.newKeySet(); // identity: heap segments of distinct arrays differ
        int threads = 4;
        int rounds = 20_000;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long mark = t + 1;
                done.add(executor.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        MemorySegment m = pool.lease();
                        assertTrue(out.add(m), "leased to two at once");
                        m.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, mark);
                        Thread.yield();
                        assertEquals(mark, m.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), "another lessee wrote into it");
                        assertTrue(out.remove(m));
                        pool.giveBack(m);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
        assertEquals(0, pool.leased());
        assertTrue(pool.idle() <= 4);
        assertEquals(pool.allocations() - pool.frees(), pool.idle(), "every buffer is free in the pool or freed");
        assertTrue(heap.frees.values().stream().allMatch(n -> n == 1), "none freed twice");
        pool.close();
        assertEquals(pool.allocations(), pool.frees());
    }
}
