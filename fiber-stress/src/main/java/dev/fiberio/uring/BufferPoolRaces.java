package dev.fiberio.uring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link BufferPool}, a ring's free operation buffers, leased and given back from any thread: a buffer
 * must never be leased to two at once (the second lessee's kernel request would write into the first's
 * data), never be lost, and never stay in a pool that was closed (a leak of native memory). The
 * buffers are heap segments counted by a fake heap; every test first moves the pool's positions past
 * its capacity, so the race happens on reused cells.
 */
public final class BufferPoolRaces {
    private BufferPoolRaces() {
    }

    /** A pool of small buffers from a heap that counts frees, with its positions moved {@code laps} cells on. */
    abstract static class Base implements BufferPool.Memory {
        final BufferPool pool;
        private final List<MemorySegment> freed = new ArrayList<>();

        Base(int maxIdle, int laps) {
            pool = new BufferPool(8, maxIdle, this);
            for (int i = 0; i < laps; i++) {
                pool.giveBack(lease());
            }
        }

        @Override
        public MemorySegment allocate(long size) {
            return MemorySegment.ofArray(new byte[(int) size]);
        }

        @Override
        public synchronized void free(MemorySegment m) {
            freed.add(m);
        }

        /** How often {@code m} was freed (the arbiter's; the actors' frees happen before it). */
        synchronized int frees(MemorySegment m) {
            int n = 0;
            for (MemorySegment f : freed) {
                n += f == m ? 1 : 0;
            }
            return n;
        }

        MemorySegment lease() {
            try {
                return pool.lease();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Takes every free buffer out of the pool (the arbiter's) and says whether {@code m} was among them. */
        boolean drainFinds(MemorySegment m) {
            boolean found = false;
            for (int i = pool.idle(); i > 0; i--) {
                found |= lease() == m;
            }
            return found;
        }
    }

    /**
     * Two lessees take from a pool holding one free buffer X: one gets X, the other a new buffer.
     * r1: 1 if both got the same buffer; r2: buffers allocated by the leases.
     */
    @JCStressTest
    @Description("Two leases from a BufferPool holding one free buffer: different buffers, one of them new")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "one lessee took the free buffer, the other got a new one")
    @Outcome(id = "1, .*", expect = FORBIDDEN, desc = "one buffer leased to two lessees at once: their operations write into each other's data")
    @Outcome(id = "0, [02-9]", expect = FORBIDDEN, desc = "the free buffer was lost or a lease allocated needlessly")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class LeaseVsLease extends Base {
        private final long allocatedBefore;
        private MemorySegment first;
        private MemorySegment second;

        /** Creates the state: one free buffer, on a reused cell. */
        public LeaseVsLease() {
            super(2, 3);
            allocatedBefore = pool.allocations();
        }

        /** The first lessee. */
        @Actor
        public void first() {
            first = lease();
        }

        /** The second lessee. */
        @Actor
        public void second() {
            second = lease();
        }

        /** After both. */
        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = first == second ? 1 : 0;
            r.r2 = (int) (pool.allocations() - allocatedBefore);
        }
    }

    /**
     * A returner gives buffer X back to an empty pool while a lessee leases. r1: 1 if the lessee got X;
     * r2: free buffers after; r3: 1 if X is among them.
     */
    @JCStressTest
    @Description("BufferPool give-back vs lease on an empty pool: the returned buffer is either leased or free, never both")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "the lessee took the returned buffer")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "the lessee found the pool empty and got a new buffer; the returned one is free")
    @Outcome(id = "1, 1, 1", expect = FORBIDDEN, desc = "the buffer is leased and still free: the next lessee would share it")
    @Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "the returned buffer was lost (neither leased nor free nor freed)")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class GiveBackVsLease extends Base {
        private final MemorySegment x;
        private MemorySegment got;

        /** Creates the state: X leased, the pool empty, on reused cells. */
        public GiveBackVsLease() {
            super(1, 3);
            x = lease();
        }

        /** Gives X back. */
        @Actor
        public void returner() {
            pool.giveBack(x);
        }

        /** Leases. */
        @Actor
        public void lessee() {
            got = lease();
        }

        /** After both. */
        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = got == x ? 1 : 0;
            r.r2 = pool.idle();
            r.r3 = drainFinds(x) ? 1 : 0;
        }
    }

    /**
     * Two returners give buffers X and Y back to a pool with room for one: one is kept, the other freed.
     * r1: free buffers; r2: frees of X plus frees of Y; r3: leased buffers.
     */
    @JCStressTest
    @Description("Two give-backs into a BufferPool with room for one: one kept, one freed, none lost or both kept")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "one buffer kept, the other freed")
    @Outcome(id = "2, 0, 0", expect = FORBIDDEN, desc = "both kept: the pool's bound was not respected")
    @Outcome(id = "0, .*, 0", expect = FORBIDDEN, desc = "a buffer lost or freed needlessly")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class GiveBackVsGiveBack extends Base {
        private final MemorySegment x;
        private final MemorySegment y;

        /** Creates the state: X and Y leased, the pool empty, on reused cells. */
        public GiveBackVsGiveBack() {
            super(1, 3);
            x = lease();
            y = lease();
        }

        /** Gives X back. */
        @Actor
        public void first() {
            pool.giveBack(x);
        }

        /** Gives Y back. */
        @Actor
        public void second() {
            pool.giveBack(y);
        }

        /** After both. */
        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = pool.idle();
            r.r2 = frees(x) + frees(y);
            r.r3 = (int) pool.leased();
        }
    }

    /**
     * A returner gives buffer X back while the ring's close closes the pool. r1: frees of X; r2: free
     * buffers left in the closed pool.
     */
    @JCStressTest
    @Description("BufferPool give-back vs close: the returned buffer is freed exactly once and none stays in the closed pool")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "freed once: by the returner (pool closed or it saw the close) or by the close's drain")
    @Outcome(id = "0, 1", expect = FORBIDDEN, desc = "left in the closed pool: its native memory leaks")
    @Outcome(id = "([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "freed twice: the heap's memory may belong to another allocation by then")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class GiveBackVsClose extends Base {
        private final MemorySegment x;

        /** Creates the state: X leased, the pool empty with room, on reused cells. */
        public GiveBackVsClose() {
            super(2, 3);
            for (int i = pool.idle(); i > 0; i--) {
                lease(); // the free ones are out of the way: only X's fate is counted
            }
            x = lease();
        }

        /** Gives X back. */
        @Actor
        public void returner() {
            pool.giveBack(x);
        }

        /** The ring's close. */
        @Actor
        public void closer() {
            pool.close();
        }

        /** After both. */
        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = frees(x);
            r.r2 = pool.idle();
        }
    }
}
