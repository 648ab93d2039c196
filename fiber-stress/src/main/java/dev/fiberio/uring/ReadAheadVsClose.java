package dev.fiberio.uring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.core.DrivenFiber;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIIIII_Result;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * io_uring's read-ahead against close. A {@code tryRead} that took everything the socket held arms the
 * next receive at once (buffer select: the kernel picks one of the ring's provided buffers only when data
 * arrives); {@code close()} marks the descriptor closed, cancels every record with a request in flight and
 * closes the records, and a record is released (its completion's buffer, or the bytes the reader still
 * holds, going back to the ring) when the kernel gave it back and no caller holds it. Whatever the order:
 * no byte reaches a call that began after {@code close()} returned, no receive stays in flight, the
 * socket's file is released, and the buffer goes back to the ring.
 *
 * <p>Real sockets on a real ring ({@link ReadAheadRig}); its provided-buffer ring has one buffer, so a
 * buffer not given back leaves the next receive without one. Where io_uring or its provided-buffer rings
 * are unavailable, every state reports -9 and the test VM's standard error says why.
 */
public final class ReadAheadVsClose {
    /** Matches a result whose state ran (r1 is not {@link ReadAheadRig#NOT_RUN} nor {@link ReadAheadRig#NO_URING}). */
    private static final String RAN = "(?!-[89],)";

    private ReadAheadVsClose() {
    }

    /**
     * The read-ahead takes the ring's buffer. The peer sent "ab"; the reader's {@code tryRead} of one byte
     * receives 'a' straight from the socket and arms the read-ahead, which completes at once with 'b' in
     * the ring's only buffer; the reader then reaps (the worker between two runs) and reads again, taking
     * 'b' out of that buffer (given back once read to its end) and arming the next read-ahead, which waits.
     * Fields: r1, r2 the two reads (1 its byte, 0 nothing yet, -3 "Socket closed", -5 returned although
     * close() had returned before the call began, -6 another exception or a wrong byte; r1 -8 not run: no
     * ring free, -9 io_uring unavailable); r3 receives still in flight after the arbiter reaped (bounded);
     * r4 the ring's buffer free for the next receive (1) or lost (0); r5 the socket's file released: the
     * peer reads the end of the stream, or a reset when bytes were left unread (1), or the socket is still
     * open after a bound that only a file never released reaches (0).
     */
    @JCStressTest
    @Description("io_uring tryRead's read-ahead (completed into the ring's only buffer) vs close: no data after close, nothing in flight, the buffer back, the socket released")
    @Outcome(id = "1, 1, 0, 1, 1", expect = ACCEPTABLE,
            desc = "both reads took their byte (the second out of the read-ahead's buffer, then given back); the close cancelled the next read-ahead")
    @Outcome(id = "1, 0, 0, 1, 1", expect = ACCEPTABLE,
            desc = "the read-ahead's completion was not posted yet when the worker reaped: the second read found nothing; its buffer went back with the completion after the close")
    @Outcome(id = "1, -3, 0, 1, 1", expect = ACCEPTABLE,
            desc = "the close came between the reads (or during the second): 'Socket closed'; the read-ahead's buffer went back with its completion or at the close")
    @Outcome(id = "-3, -3, 0, 1, 1", expect = ACCEPTABLE,
            desc = "the close came first, or during the first read before its read-ahead was armed (the byte it took goes with the socket): both reads say 'Socket closed'")
    @Outcome(id = "-8, 0, 0, 0, 0", expect = ACCEPTABLE, desc = "not run: this state got no ring (StressRings)")
    @Outcome(id = "-9, 0, 0, 0, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "not run: io_uring or its provided-buffer rings are unavailable on this machine (the test VM's standard error says why)")
    @Outcome(id = "-5, .*", expect = FORBIDDEN, desc = "a read that began after close() returned did not say 'Socket closed'")
    @Outcome(id = "-?\\d+, -5, .*", expect = FORBIDDEN, desc = "a read that began after close() returned did not say 'Socket closed'")
    @Outcome(id = RAN + "-?\\d+, -?\\d+, [1-9]\\d*, .*", expect = FORBIDDEN,
            desc = "a receive stayed in flight after the close: nothing cancelled it; it holds the socket, and a buffer when data comes")
    @Outcome(id = RAN + "-?\\d+, -?\\d+, \\d+, 0, .*", expect = FORBIDDEN,
            desc = "the ring's buffer was lost: the read-ahead's buffer never went back, the next receive found none")
    @Outcome(id = RAN + "-?\\d+, -?\\d+, \\d+, \\d+, 0", expect = FORBIDDEN,
            desc = "the socket's file was not released after the close: its descriptor leaked, or a request still holds it")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: another exception, or a wrong byte")
    @State
    public static class BufferTaken {
        private final ReadAheadRig rig = new ReadAheadRig((byte) 'a', (byte) 'b');

        /** Creates the state: the peer sent "ab", the read record is idle. */
        public BufferTaken() {
        }

        /**
         * The reader, and the ring's worker between its two reads.
         *
         * @param r r1, r2 as in the class comment
         */
        @Actor
        public void reader(IIIII_Result r) {
            if (!rig.runs()) {
                return;
            }
            r.r1 = rig.tryRead((byte) 'a');
            rig.reapNow();
            r.r2 = rig.tryRead((byte) 'b');
        }

        /** Closes the socket. */
        @Actor
        public void closer() {
            if (rig.runs()) {
                rig.close();
            }
        }

        /**
         * Reaps and looks at what the close left.
         *
         * @param r r3-r5 as in the class comment (r1 for a state that did not run)
         */
        @Arbiter
        public void arbiter(IIIII_Result r) {
            if (!rig.runs()) {
                r.r1 = ReadAheadRig.notRun();
                return;
            }
            int[] left = rig.afterClose();
            r.r3 = left[0];
            r.r4 = left[1];
            r.r5 = left[2];
        }
    }

    /**
     * A reader waits on the read-ahead. The peer sent "a"; the reader, a fiber, takes it with
     * {@code tryRead}, which arms the read-ahead (nothing more arrives: it stays in the kernel, holding no
     * buffer), then waits in {@code awaitReadable} on that receive; the closer closes, and then reaps as
     * the ring's worker would, so the cancelled receive's completion races the wake-up of the reader.
     * Fields: r1 the tryRead and r2 the awaitReadable (1 its byte / returned, -3 "Socket closed",
     * -5 returned although close() had returned before the call began, -6 another exception; r2
     * {@link DrivenFiber#NOT_RETURNED} -1: still waiting after the arbiter ran what was resumed; r1 -8 not
     * run: no ring free, -9 io_uring unavailable); r3 resumes; r4 who resumed it (0 nobody, 1 the
     * post-switch hook, 2 the closer); r5 resumes refused (run twice, or before its hook); r6-r8 as r3-r5
     * of {@link BufferTaken}: receives in flight after the arbiter reaped, the ring's buffer free, the
     * socket's file released.
     */
    @JCStressTest
    @Description("io_uring awaitReadable waiting on tryRead's read-ahead vs close: 'Socket closed' once, nothing in flight, the buffer free, the socket released")
    @Outcome(id = "1, -3, 1, 1, 0, 0, 1, 1", expect = ACCEPTABLE,
            desc = "the close came while the reader was switching out: the post-switch hook resumed it; 'Socket closed'")
    @Outcome(id = "1, -3, 1, 2, 0, 0, 1, 1", expect = ACCEPTABLE,
            desc = "the close resumed the reader waiting on the read-ahead: 'Socket closed'")
    @Outcome(id = "1, -3, 0, 0, 0, 0, 1, 1", expect = ACCEPTABLE,
            desc = "the close came before awaitReadable suspended: it saw the socket closed (or the close's wake-up) at once")
    @Outcome(id = "-3, -3, 0, 0, 0, 0, 1, 1", expect = ACCEPTABLE,
            desc = "the close came first, or during tryRead before its read-ahead was armed: both calls say 'Socket closed'")
    @Outcome(id = "-8, 0, 0, 0, 0, 0, 0, 0", expect = ACCEPTABLE, desc = "not run: this state got no ring (StressRings)")
    @Outcome(id = "-9, 0, 0, 0, 0, 0, 0, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "not run: io_uring or its provided-buffer rings are unavailable on this machine (the test VM's standard error says why)")
    @Outcome(id = "-?\\d+, -1, .*", expect = FORBIDDEN, desc = "never resumed: the reader still waits on a closed socket")
    @Outcome(id = RAN + "-?\\d+, 1, .*", expect = FORBIDDEN,
            desc = "awaitReadable returned although nothing arrived and the socket was closed")
    @Outcome(id = "-5, .*", expect = FORBIDDEN, desc = "a call that began after close() returned did not say 'Socket closed'")
    @Outcome(id = "-?\\d+, -5, .*", expect = FORBIDDEN, desc = "a call that began after close() returned did not say 'Socket closed'")
    @Outcome(id = "-?\\d+, -?\\d+, ([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "resumed twice")
    @Outcome(id = "-?\\d+, -?\\d+, \\d+, \\d+, [1-9]\\d*, .*", expect = FORBIDDEN, desc = "resumed before the hook, or run twice")
    @Outcome(id = RAN + "(-?\\d+, ){5}[1-9]\\d*, .*", expect = FORBIDDEN,
            desc = "a receive stayed in flight after the close: nothing cancelled it; it holds the socket, and a buffer when data comes")
    @Outcome(id = RAN + "(-?\\d+, ){6}0, .*", expect = FORBIDDEN,
            desc = "the ring's buffer was lost: the next receive found none")
    @Outcome(id = RAN + "(-?\\d+, ){7}0", expect = FORBIDDEN,
            desc = "the socket's file was not released after the close: its descriptor leaked, or a request still holds it")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: another exception")
    @State
    public static class AwaitingReader {
        private final ReadAheadRig rig = new ReadAheadRig((byte) 'a');
        private final DrivenFiber reader = rig.runs() ? new DrivenFiber("jcstress", this::readThenAwait) : null;
        private int tryRead;
        private int awaited = DrivenFiber.NOT_RETURNED;

        /** Creates the state: the peer sent "a", the reader fiber not started. */
        public AwaitingReader() {
        }

        private int readThenAwait() {
            tryRead = rig.tryRead((byte) 'a');
            awaited = rig.awaitReadable();
            return 0;
        }

        /**
         * The worker: runs the reader until it suspends in awaitReadable (or ends), then its hook; and on
         * at once if it was resumed by then, so its wake-up races the closer's reaping.
         */
        @Actor
        public void worker() {
            if (reader != null) {
                reader.runNext();
                reader.runNextIfAny();
            }
        }

        /** Closes the socket, then reaps as the ring's worker. */
        @Actor
        public void closer() {
            if (reader != null) {
                rig.close();
                rig.reapNow();
            }
        }

        /**
         * Runs the resumed reader, reaps and looks at what the close left.
         *
         * @param r the fields described in the class comment
         */
        @Arbiter
        public void arbiter(IIIIIIII_Result r) {
            if (reader == null) {
                r.r1 = ReadAheadRig.notRun();
                return;
            }
            reader.runAll();
            r.r1 = tryRead;
            r.r2 = awaited;
            r.r3 = reader.resumes();
            r.r4 = reader.resumer();
            r.r5 = (int) reader.violations();
            int[] left = rig.afterClose();
            r.r6 = left[0];
            r.r7 = left[1];
            r.r8 = left[2];
        }
    }
}
