package dev.fiberio.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.nativeio.completion.OperationRecord;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The ownership rule of IOCP's records (the core's, over a pooled OVERLAPPED block): released exactly once, never while the kernel or a caller holds it. */
class OverlappedRecordTest {
    private final WaitSlot slot = new WaitSlot();
    private final AtomicInteger releases = new AtomicInteger();
    private final RecordPool pool = new RecordPool(64, 4);
    private final OverlappedRecord record = pool.take(slot, r -> releases.incrementAndGet());

    @Test
    void anIdleRecordIsReleasedByClose() {
        assertTrue(record.close());
        assertFalse(record.close(), "closed once");
        assertEquals(1, releases.get());
        assertEquals(0, pool.live());
        assertEquals(1, pool.idle(), "back in the pool");
        assertFalse(record.acquire(), "a closed record is not handed to a caller");
    }

    @Test
    void aRecordInUseIsReleasedWhenItsCallerLeaves() {
        assertTrue(record.acquire());
        record.close();
        assertEquals(0, releases.get());
        record.release();
        assertEquals(1, releases.get());
    }

    @Test
    void aRecordTheKernelOwnsIsReleasedByItsCompletion() {
        assertTrue(record.acquire());
        record.started();
        record.release();  // the caller gave up (cancelled): the kernel still writes into it
        record.close();
        assertEquals(0, releases.get());
        assertEquals(1, pool.live());
        assertTrue(record.complete(995, 0, 0));
        assertEquals(1, releases.get());
        assertEquals(0, pool.live());
        assertEquals(WaitSlot.READY, slot.state(), "the completion signalled the slot");
    }

    @Test
    void aResultIsDeliveredOnceAndAStaleCompletionChangesNothing() {
        assertFalse(record.complete(0, 1, 0), "nothing pending: stale");
        assertTrue(record.acquire());
        record.started();
        assertTrue(record.pending());
        assertTrue(record.complete(0, 42, 0));
        assertFalse(record.complete(0, 7, 0), "a second completion of one operation is stale");
        assertTrue(record.hasResult());
        OperationRecord.Completion c = record.consume();
        assertEquals(new OperationRecord.Completion(0, 42, 0), c);
        assertFalse(record.hasResult());
        record.release();
        assertEquals(0, releases.get(), "open records are not released");
    }

    @Test
    void oneCallerAtATimeAndOneOperationAtATime() {
        assertTrue(record.acquire());
        assertThrows(IllegalStateException.class, record::acquire);
        record.started();
        assertThrows(IllegalStateException.class, record::started);
        record.notStarted();
        assertEquals(OperationRecord.USER, record.stateVolatile());
        record.release();
        assertEquals(0, record.stateVolatile());
    }

    @Test
    void aRefusedStartLeavesTheOperationInFlightWithTheKernel() {
        assertTrue(record.acquire());
        record.started(); // an overlapped call is pending: the kernel may write the OVERLAPPED and the buffer
        assertThrows(IllegalStateException.class, record::started);
        assertTrue(record.pending(), "the refused start must not take the first operation away from the kernel");
        record.release();
        record.close();
        assertEquals(0, releases.get(), "not released while the kernel may still write it");
        assertTrue(record.complete(0, 42, 0), "the first operation's completion still finds it");
        assertEquals(1, releases.get(), "released by that completion");
    }

    @Test
    void thePoolReusesReleasedRecordsUpToItsLimit() {
        record.close();
        OverlappedRecord again = pool.take(slot, r -> { });
        assertEquals(record, again, "reused");
        assertEquals(0, again.stateVolatile(), "reset for its new owner");
        OverlappedRecord small = pool.takeUnpooled(16, slot, r -> { });
        assertEquals(16, small.capacity());
        small.close();
        assertEquals(0, pool.idle(), "records of another size are not pooled");
    }
}
