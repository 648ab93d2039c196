package dev.fiberio.uring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.HashSet;
import java.util.Set;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link BufferRing} growing while readers give buffers back, from any threads: every buffer given back
 * or added must end up in exactly one entry between the old and the new tail, naming its own memory (a
 * lost entry is a buffer the kernel never gets again; a duplicate, two receives into one buffer), and
 * concurrent receives that found the ring empty add one chunk, not one each. The ring is never shown to
 * a kernel: these are its own writes (entries, then the tail, release), which is what races.
 */
public final class BufferRingGrowth {
    private BufferRingGrowth() {
    }

    /** A ring of 2 buffers (the chunk) that may grow to 8; the kernel is taken to hold both. */
    abstract static class Base {
        final BufferRing ring = BufferRing.unregistered(2, 8, 16);

        /**
         * 1 if the entries from index 2 to the tail name each buffer of {@code expected} once, each with its
         * own memory; else 0. Frees the ring.
         */
        int entriesAre(Set<Integer> expected) {
            try {
                Set<Integer> seen = new HashSet<>();
                for (int i = 2; i < ring.publishedTail(); i++) {
                    int bid = ring.entryBid(i);
                    if (!seen.add(bid) || ring.entryAddress(i) != ring.buffer(bid).address()) {
                        return 0;
                    }
                }
                return seen.equals(expected) ? 1 : 0;
            } finally {
                ring.free();
            }
        }
    }

    /** r1: the tail; r2: 1 if the entries are buffer 0 (given back) and 2, 3 (added); r3: buffers the ring has. */
    @JCStressTest
    @Description("A reader gives buffer 0 back while another's empty find grows the ring by a chunk")
    @Outcome(id = "5, 1, 4", expect = ACCEPTABLE, desc = "buffer 0 and the two added buffers are each in one entry, in either order")
    @Outcome(id = "[0-4], .*, .*", expect = FORBIDDEN, desc = "an entry was lost: a buffer the kernel never gets again")
    @Outcome(id = ".*, 0, .*", expect = FORBIDDEN, desc = "a buffer is missing, named twice, or named with another's memory")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class RecycleVsGrow extends Base {
        /** A reader done with buffer 0. */
        @Actor
        public void recycle() {
            ring.recycle(0);
        }

        /** A receive that found the ring empty (the first such find grows it). */
        @Actor
        public void foundEmpty() {
            ring.foundEmpty();
        }

        /** After both. */
        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = ring.publishedTail();
            r.r3 = ring.buffers();
            r.r2 = entriesAre(Set.of(0, 2, 3));
        }
    }

    /** r1: the tail; r2: 1 if the entries are the one added chunk (2, 3); r3: buffers the ring has. */
    @JCStressTest
    @Description("Two receives find the ring empty at once: one chunk is added, by one of them")
    @Outcome(id = "4, 1, 4", expect = ACCEPTABLE, desc = "one chunk added, its two buffers each in one entry")
    @Outcome(id = "6, .*, 6", expect = FORBIDDEN, desc = "each find added a chunk: the ring grows twice as fast as receives fail")
    @Outcome(id = "2, .*, .*", expect = FORBIDDEN, desc = "no growth although a receive found the ring empty")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class FoundEmptyVsFoundEmpty extends Base {
        /** One reader's empty find. */
        @Actor
        public void first() {
            ring.foundEmpty();
        }

        /** Another's. */
        @Actor
        public void second() {
            ring.foundEmpty();
        }

        /** After both. */
        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = ring.publishedTail();
            r.r3 = ring.buffers();
            r.r2 = entriesAre(Set.of(2, 3));
        }
    }
}
