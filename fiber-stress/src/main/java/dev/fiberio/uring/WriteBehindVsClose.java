package dev.fiberio.uring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * io_uring's write-behind send against close. A write copies its byte into a buffer leased for its send,
 * submits the send and returns without waiting for the completion; {@code close()} does not cancel such a
 * send (its bytes were reported written: java.net delivers what {@code write} accepted before the end of
 * stream) but lets it finish, bounded by a linger, while a write that raced with the close either queued
 * its send before the descriptor closed or says "Socket closed". Whatever the order: a write that returned
 * has its byte delivered before the end of stream, a write that failed sent nothing, the buffer goes back
 * to the pool once the kernel is done with it, and the socket's file is released.
 *
 * <p>Real sockets on a real ring ({@link ReadAheadRig}); where io_uring is unavailable every state reports
 * -9 and the test VM's standard error says why.
 */
public final class WriteBehindVsClose {
    private WriteBehindVsClose() {
    }

    /**
     * A plain thread writes one byte while another closes the socket; the arbiter reaps as the ring's worker
     * would. Fields: r1 the write (1 returned 1, -3 "Socket closed", -5 returned although close() had returned
     * before the call began, -6 another exception; -8 not run: no ring free, -9 io_uring unavailable); r2
     * the bytes the peer received before the end of stream (-1 the socket's file was not released within
     * the bound, -2 a wrong byte); r3 write buffers still leased after the reaping; r4 operations left in
     * flight after the reaping (bounded).
     */
    @JCStressTest
    @Description("io_uring write-behind send vs close: a write that returned is delivered before the FIN, a failed write sends nothing, the buffer comes back, the socket is released")
    @Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE,
            desc = "the write queued its send before the close: the close let it finish (or it had), its byte came before the end of stream")
    @Outcome(id = "-3, 0, 0, 0", expect = ACCEPTABLE,
            desc = "the close came first: the write says 'Socket closed' and sent nothing")
    @Outcome(id = "-8, 0, 0, 0", expect = ACCEPTABLE, desc = "not run: this state got no ring (StressRings)")
    @Outcome(id = "-9, 0, 0, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "not run: io_uring is unavailable on this machine (the test VM's standard error says why)")
    @Outcome(id = "1, 0, .*", expect = FORBIDDEN,
            desc = "a write that returned lost its byte: the close cancelled its send, or closed the descriptor before the kernel took it")
    @Outcome(id = "-3, 1, .*", expect = FORBIDDEN, desc = "a write that said 'Socket closed' sent its byte")
    @Outcome(id = "-5, .*", expect = FORBIDDEN, desc = "a write that began after close() returned did not say 'Socket closed'")
    @Outcome(id = "-?\\d+, -1, .*", expect = FORBIDDEN,
            desc = "the socket's file was not released: its descriptor leaked, or a send still holds it")
    @Outcome(id = "-?\\d+, -?\\d+, [1-9]\\d*, .*", expect = FORBIDDEN,
            desc = "a send's buffer never went back to the pool")
    @Outcome(id = "-?\\d+, -?\\d+, \\d+, 1", expect = FORBIDDEN, desc = "an operation stayed in flight after the close")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: another exception, or a wrong byte")
    @State
    public static class WriteVsClose {
        private final ReadAheadRig rig = new ReadAheadRig();

        /** Creates the state: nothing sent either way, nothing in flight. */
        public WriteVsClose() {
        }

        /**
         * Writes one byte.
         *
         * @param r r1 as in the class comment
         */
        @Actor
        public void writer(IIII_Result r) {
            if (rig.runs()) {
                r.r1 = rig.write();
            }
        }

        /** Closes the socket. */
        @Actor
        public void closer() {
            if (rig.runs()) {
                rig.close();
            }
        }

        /**
         * Reaps and looks at what the peer got and what the close left.
         *
         * @param r r2-r4 as in the class comment (r1 for a state that did not run)
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            if (!rig.runs()) {
                r.r1 = ReadAheadRig.notRun();
                return;
            }
            int[] left = rig.afterWriteAndClose();
            r.r2 = left[0];
            r.r3 = left[1];
            r.r4 = left[2];
        }
    }
}
