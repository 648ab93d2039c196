package dev.fiberio.nativeio.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.net.spi.Deadlines;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The caller's side on a plain thread, with a canceller that completes the operation as a kernel would. */
class CompletionWaitTest {
    private static final int ECANCELED = 125;

    private final OperationRecord record = new OperationRecord(MemorySegment.NULL);
    private final AtomicInteger cancels = new AtomicInteger();
    private volatile boolean open = true;
    private volatile int cancelResult = -1; // -1: the cancel aborts the operation, else it completes with this many bytes

    private final CompletionWait.Owner owner = new CompletionWait.Owner() {
        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void cancel(OperationRecord r) {
            cancels.incrementAndGet();
            // The cancellation's completion arrives from another thread, as a reaper delivers it.
            Thread t = new Thread(() -> {
                if (cancelResult < 0) {
                    r.complete(ECANCELED, 0, 0);
                } else {
                    r.complete(0, cancelResult, 0);
                }
            });
            t.start();
        }

        @Override
        public IOException closedException() {
            return new SocketException("Socket closed");
        }
    };

    private void start() {
        record.attach(new WaitSlot(), 1, r -> { });
        assertTrue(record.acquire());
        record.started();
    }

    @Test
    void aDeadlineCancelsThenWaitsForTheAbortedCompletion() {
        start();
        assertThrows(SocketTimeoutException.class, () -> CompletionWait.await(record, owner,
                Deadlines.after(java.time.Duration.ofMillis(1)), ECANCELED, () -> new SocketTimeoutException("t")));
        assertEquals(1, cancels.get());
        assertTrue(!record.pending() && !record.hasResult(), "the record is the caller's again");
    }

    @Test
    void aResultThatWinsTheRaceWithTheDeadlineIsReturned() throws IOException {
        cancelResult = 5;
        start();
        OperationRecord.Completion c = CompletionWait.await(record, owner,
                Deadlines.after(java.time.Duration.ofMillis(1)), ECANCELED, () -> new SocketTimeoutException("t"));
        assertEquals(5, c.value());
    }

    @Test
    void aCompletionBeforeTheWaitIsConsumedWithoutWaiting() throws IOException {
        start();
        record.complete(0, 9, 0);
        assertEquals(9, CompletionWait.await(record, owner, Deadlines.NO_DEADLINE, ECANCELED,
                () -> new SocketTimeoutException("t")).value());
        assertEquals(0, cancels.get());
    }

    @Test
    void closeEndsTheWaitAtOnce() {
        start();
        open = false;
        record.slot().signal();
        assertThrows(SocketException.class, () -> CompletionWait.await(record, owner, Deadlines.NO_DEADLINE, ECANCELED,
                () -> new SocketTimeoutException("t")));
        assertTrue(record.pending(), "the kernel still owns the memory until the aborted completion is reaped");
    }

    @Test
    void aBoundedGraceGivesUpOnAnUnansweredCancellationAndTheNextCallerCollectsTheCompletion() throws IOException {
        CompletionWait.Owner ignoresCancel = new CompletionWait.Owner() {
            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void cancel(OperationRecord r) {
                cancels.incrementAndGet(); // a provider that ignores the cancellation: no completion comes
            }

            @Override
            public IOException closedException() {
                return new SocketException("Socket closed");
            }

            @Override
            public long cancelGraceNanos() {
                return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);
            }
        };
        start();
        assertThrows(SocketTimeoutException.class, () -> CompletionWait.await(record, ignoresCancel,
                Deadlines.after(java.time.Duration.ofMillis(1)), ECANCELED, () -> new SocketTimeoutException("t")));
        assertEquals(1, cancels.get());
        assertTrue(record.pending(), "the operation stays with the record: the kernel may still write it");
        record.complete(0, 3, 0);
        OperationRecord.Completion leftover = CompletionWait.collectLeftover(record, ignoresCancel, Deadlines.NO_DEADLINE,
                ECANCELED, () -> new SocketTimeoutException("t"));
        assertEquals(new OperationRecord.Completion(0, 3, 0), leftover);
        assertTrue(!record.pending() && !record.hasResult(), "the record is free again");
    }

    @Test
    void withoutAGraceTheWaitAfterTheCancellationIsUnbounded() {
        assertEquals(CompletionWait.UNBOUNDED_GRACE, owner.cancelGraceNanos());
    }
}
