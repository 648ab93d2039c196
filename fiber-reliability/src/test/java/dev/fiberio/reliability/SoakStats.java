package dev.fiberio.reliability;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/** What the soak clients counted; thread-safe (many client threads add, the test reads at the end). */
final class SoakStats {
    /** Connections opened. */
    final LongAdder connections = new LongAdder();
    /** Connections that ran to their planned end and closed normally. */
    final LongAdder completed = new LongAdder();
    /** Messages whose echo came back whole and identical. */
    final LongAdder messages = new LongAdder();
    /** Bytes whose echo came back whole and identical. */
    final LongAdder bytesVerified = new LongAdder();
    /** Injected: the client closed (FIN) in the middle of a message. */
    final LongAdder disconnects = new LongAdder();
    /** Injected: the client reset (RST, SO_LINGER 0) in the middle of a message. */
    final LongAdder resets = new LongAdder();
    /** Echoes that came back different from what was sent (checksum mismatch). */
    final LongAdder corrupted = new LongAdder();
    /** Connections that failed without an injected fault (an exception or a short echo). */
    final LongAdder failures = new LongAdder();
    /** The first failures, for the assertion message. */
    final List<String> failureSamples = new CopyOnWriteArrayList<>();

    /**
     * Records an unexpected failure.
     *
     * @param what a description
     */
    void fail(String what) {
        failures.increment();
        if (failureSamples.size() < 10) {
            failureSamples.add(what);
        }
    }
}
