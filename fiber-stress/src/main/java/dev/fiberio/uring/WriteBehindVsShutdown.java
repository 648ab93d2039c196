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
 * io_uring's write-behind send against {@code shutdownOutput}. A write submits its send and returns
 * without waiting; a shutdown waits for a send in flight (without taking the write record from a writer)
 * and then sends the FIN; a write that starts its send once a shutdown began waits for that send's result.
 * Whatever the order, as java.net: the write either lands before the end of stream the peer reads, or
 * fails with "Broken pipe" having sent nothing; never does it return for a byte sent after the FIN, and the
 * race is never reported as a misuse of the socket.
 *
 * <p>Real sockets on pooled rings reaped by a poller thread each ({@link ShutdownRig}); where io_uring is
 * unavailable every state reports -9 and the test VM's standard error says why.
 */
public final class WriteBehindVsShutdown {
    private WriteBehindVsShutdown() {
    }

    /**
     * A plain thread writes one byte while another shuts the output down. Fields: r1 the write (1 returned
     * 1, -4 "Broken pipe", -6 another exception; -8 not run: no ring free, -9 io_uring unavailable); r2 the
     * shutdown (1 returned, -6 an exception); r3 the bytes the peer read before the end of stream (-1 none
     * within the bound, -2 a wrong byte); r4 write buffers still leased after the close.
     */
    @JCStressTest
    @Description("io_uring write-behind send vs shutdownOutput: the write lands before the FIN or fails with 'Broken pipe', never lost, never a misuse")
    @Outcome(id = "1, 1, 1, 0", expect = ACCEPTABLE, desc = "the write came first: its byte arrived before the end of stream")
    @Outcome(id = "-4, 1, 0, 0", expect = ACCEPTABLE, desc = "the shutdown came first: the write says 'Broken pipe' and sent nothing")
    @Outcome(id = "-8, 0, 0, 0", expect = ACCEPTABLE, desc = "not run: this state got no ring (StressRings)")
    @Outcome(id = "-9, 0, 0, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "not run: io_uring is unavailable on this machine (the test VM's standard error says why)")
    @Outcome(id = "1, 1, 0, .*", expect = FORBIDDEN, desc = "the write returned but its byte was sent after the FIN: lost")
    @Outcome(id = "-4, 1, 1, .*", expect = FORBIDDEN, desc = "the write said 'Broken pipe' but its byte arrived")
    @Outcome(id = "-6, .*", expect = FORBIDDEN, desc = "the write threw something else (a second concurrent caller: a misuse)")
    @Outcome(id = "-?\\d+, -6, .*", expect = FORBIDDEN, desc = "the shutdown threw")
    @Outcome(id = "-?\\d+, -?\\d+, -1, .*", expect = FORBIDDEN, desc = "no end of stream reached the peer: the FIN never went")
    @Outcome(id = "-?\\d+, -?\\d+, -?\\d+, [1-9]\\d*", expect = FORBIDDEN, desc = "a send's buffer never went back to the pool")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class WriteVsShutdown {
        private final ShutdownRig rig = new ShutdownRig();

        /** Creates the state: nothing sent either way. */
        public WriteVsShutdown() {
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

        /**
         * Shuts the output down.
         *
         * @param r r2 as in the class comment
         */
        @Actor
        public void shutdown(IIII_Result r) {
            if (rig.runs()) {
                r.r2 = rig.shutdownOutput();
            }
        }

        /**
         * Reads what the peer got, closes and looks.
         *
         * @param r r3, r4 as in the class comment (r1 for a state that did not run)
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            if (!rig.runs()) {
                r.r1 = ShutdownRig.notRun();
                return;
            }
            int[] left = rig.after();
            r.r3 = left[0];
            r.r4 = left[1];
        }
    }

    /**
     * Two threads shut the output down while the send of a byte written just before may still be in
     * flight. Fields: r1 the write before (1 returned 1; -8, -9 as above); r2 and r3 the shutdowns (1
     * returned, -6 an exception); r4 the bytes the peer read before the end of stream (-1 none within the
     * bound, -2 a wrong byte), plus 10 per write buffer still leased after the close.
     */
    @JCStressTest
    @Description("io_uring: two shutdownOutput calls while a write-behind send may be in flight: the byte arrives, then the end of stream")
    @Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "both shutdowns returned; the byte arrived before the end of stream")
    @Outcome(id = "-8, 0, 0, 0", expect = ACCEPTABLE, desc = "not run: this state got no ring (StressRings)")
    @Outcome(id = "-9, 0, 0, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "not run: io_uring is unavailable on this machine (the test VM's standard error says why)")
    @Outcome(id = "1, .*, .*, 0", expect = FORBIDDEN, desc = "the write returned but its byte never arrived: a shutdown cancelled its send or sent the FIN first")
    @Outcome(id = "1, .*, .*, -1", expect = FORBIDDEN, desc = "no end of stream reached the peer: the FIN never went")
    @Outcome(id = "1, -6, .*", expect = FORBIDDEN, desc = "a shutdown threw")
    @Outcome(id = "1, .*, -6, .*", expect = FORBIDDEN, desc = "a shutdown threw")
    @Outcome(id = "1, .*, .*, [1-9]\\d", expect = FORBIDDEN, desc = "a send's buffer never went back to the pool")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class ShutdownVsShutdown {
        private final ShutdownRig rig = new ShutdownRig();
        private final int wrote;

        /** Creates the state: one byte written, its send submitted and perhaps still in flight. */
        public ShutdownVsShutdown() {
            wrote = rig.runs() ? rig.write() : 0;
        }

        /**
         * Shuts the output down.
         *
         * @param r r2 as in the class comment
         */
        @Actor
        public void first(IIII_Result r) {
            if (rig.runs()) {
                r.r2 = rig.shutdownOutput();
            }
        }

        /**
         * Shuts the output down too.
         *
         * @param r r3 as in the class comment
         */
        @Actor
        public void second(IIII_Result r) {
            if (rig.runs()) {
                r.r3 = rig.shutdownOutput();
            }
        }

        /**
         * Reads what the peer got, closes and looks.
         *
         * @param r r1, r4 as in the class comment
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            if (!rig.runs()) {
                r.r1 = ShutdownRig.notRun();
                return;
            }
            r.r1 = wrote;
            int[] left = rig.after();
            r.r4 = left[0] + 10 * left[1];
        }
    }
}
