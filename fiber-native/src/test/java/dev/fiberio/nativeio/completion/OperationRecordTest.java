package dev.fiberio.nativeio.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.WaitSlot;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OperationRecordTest {
    private final AtomicInteger released = new AtomicInteger();

    private OperationRecord record() {
        OperationRecord r = new OperationRecord(MemorySegment.NULL);
        r.attach(new WaitSlot(), 42, x -> released.incrementAndGet());
        return r;
    }

    @Test
    void closeWhileTheKernelOwnsTheMemoryReleasesItOnlyWhenTheCompletionIsReaped() {
        OperationRecord r = record();
        assertTrue(r.acquire());
        r.started();
        r.release();                 // the caller left (closed socket), the kernel still owns the memory
        assertTrue(r.close());
        assertEquals(0, released.get());
        assertTrue(r.complete(125, 0, 0));
        assertEquals(1, released.get());
        assertFalse(r.complete(0, 1, 0), "a second completion of the same operation is stale");
        assertEquals(1, released.get());
    }

    @Test
    void closeOfAnIdleRecordReleasesAtOnceAndOnlyOnce() {
        OperationRecord r = record();
        assertTrue(r.close());
        assertFalse(r.close());
        assertEquals(1, released.get());
        assertFalse(r.acquire(), "a closed record refuses new callers");
    }

    @Test
    void closeWhileACallerHoldsItReleasesWhenTheCallerLeaves() {
        OperationRecord r = record();
        assertTrue(r.acquire());
        r.started();
        assertTrue(r.complete(0, 7, 3));
        r.close();
        assertEquals(0, released.get());
        OperationRecord.Completion c = r.consume();
        assertEquals(new OperationRecord.Completion(0, 7, 3), c);
        r.release();
        assertEquals(1, released.get());
    }

    @Test
    void aCompletionWithNothingInFlightIsStale() {
        OperationRecord r = record();
        assertFalse(r.complete(0, 1, 0));
        assertFalse(r.hasResult());
    }

    @Test
    void startingOnABusyRecordOrASecondCallerIsRefused() {
        OperationRecord r = record();
        assertTrue(r.acquire());
        assertThrows(IllegalStateException.class, r::acquire);
        r.started();
        assertThrows(IllegalStateException.class, r::started);
        assertTrue(r.pending());
    }
}
