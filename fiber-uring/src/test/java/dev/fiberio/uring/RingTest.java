package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static dev.fiberio.uring.HangGuard.awaitCondition;
import static dev.fiberio.uring.HangGuard.pollUntil;
import static dev.fiberio.uring.ffi.UringConstants.ETIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.Deadlines;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ring itself: waiting, wake-ups, stale and duplicate completions, close racing an operation, stranded records. */
@RequiresUring
class RingTest {
    private Ring ring;

    @BeforeEach
    void open() throws Exception {
        ring = new Ring(UringFeatures.get(), null, -1);
    }

    @AfterEach
    void close() {
        ring.close();
    }

    @Test
    void anIdlePollWaitsInTheKernelUntilItsTimeout() throws Exception {
        assertEquals(0, ring.poll(TimeUnit.MILLISECONDS.toNanos(5)));
        // ETIME is the kernel saying it waited the whole timeout; a poll that returned at once (as when
        // io_uring_enter was asked to submit more SQEs than were queued) reports 0 instead.
        assertEquals(-ETIME, ring.lastEnterResult);
    }

    @Test
    void aWakeupWhileNobodyPollsIsConsumedByTheNextPollOnly() throws Exception {
        ring.wakeup();
        assertTrue(ring.wakePending());
        assertEquals(0, ring.poll(-1)); // returns without waiting: the wake-up is sticky
        assertFalse(ring.wakePending(), "the poll consumed the wake-up");
        assertEquals(0, ring.poll(TimeUnit.MILLISECONDS.toNanos(5)));
        assertEquals(-ETIME, ring.lastEnterResult, "the next poll waits again");
    }

    @Test
    void aWakeupEndsAPollBlockedInTheKernel() throws Exception {
        CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
            try {
                return ring.poll(-1);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        awaitCondition(ring::isPolling);
        ring.wakeup();
        assertEquals(0, polled.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aCompletionForAReleasedTokenIsDroppedAndTouchesNoRecord() throws Exception {
        OperationRecord record = startedRecord();
        long stale = record.token();
        ring.records.remove(stale); // the record was released; its token must name nothing now
        long before = Ring.ALL_STALE.sum();
        assertTrue(ring.queueNop(stale));
        pollUntil(ring, () -> Ring.ALL_STALE.sum() > before);
        assertEquals(before + 1, Ring.ALL_STALE.sum());
        assertTrue(record.pending(), "the record never saw the completion");
        record.notStarted();
    }

    @Test
    void aSecondCompletionForOneOperationIsDroppedAsStale() throws Exception {
        OperationRecord record = startedRecord();
        long before = Ring.ALL_STALE.sum();
        ring.inFlight.incrementAndGet(); // as submit() counts it
        assertTrue(ring.queueNop(record.token()));
        assertTrue(ring.queueNop(record.token())); // a duplicate the kernel should never post
        pollUntil(ring, () -> Ring.ALL_STALE.sum() > before);
        assertTrue(record.hasResult());
        assertEquals(0, record.consume().error());
        assertFalse(record.pending());
        assertEquals(0, ring.inFlight.get(), "only the first completion counted");
        assertEquals(before + 1, Ring.ALL_STALE.sum());
    }

    @Test
    void closeRacingAReceiveInFlightThrowsSocketClosedAndReleasesTheRecordAfterTheKernel() throws Exception {
        long recordsBefore = UringChannel.LIVE_RECORDS.get();
        try (PollerThread poller = new PollerThread("ring-test", ring);
             ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            UringSocket socket = UringSocket.open(AF_INET, ring);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                    Deadlines.NO_DEADLINE);
            try (Socket peer = listener.accept()) {
                CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                    try {
                        return socket.read(Arena.ofAuto().allocate(64), Deadlines.NO_DEADLINE);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                OperationRecord readRecord = socket.records()[0];
                awaitCondition(readRecord::pending); // the receive is in the kernel
                socket.close();
                Throwable failure = assertThrows(Exception.class, () -> read.get(30, TimeUnit.SECONDS)).getCause();
                assertTrue(failure.getCause() instanceof SocketException, failure.toString());
                assertEquals("Socket closed", failure.getCause().getMessage());
                // The cancelled receive's completion is reaped by the poller thread; only then is the memory given back.
                // The reaper releases the record (inside complete) before it counts the operation out of flight.
                awaitCondition(() -> UringChannel.LIVE_RECORDS.get() == recordsBefore && ring.inFlight.get() == 0);
                assertFalse(readRecord.pending());
            }
        }
    }

    @Test
    void aRecordTheKernelNeverGaveBackIsKeptWhenItsRingCloses() {
        AtomicInteger released = new AtomicInteger();
        OperationRecord record = new OperationRecord(Arena.ofAuto().allocate(64));
        record.attach(new WaitSlot(), ring.records.add(record), r -> released.incrementAndGet());
        assertTrue(record.acquire());
        record.started();
        ring.inFlight.incrementAndGet(); // in flight, and no completion will ever come
        record.close();
        record.release();
        ring.drainNanos = TimeUnit.MILLISECONDS.toNanos(20);
        ring.close();
        assertTrue(Ring.stranded().contains(record), "kept reachable");
        assertEquals(0, released.get(), "never released: the kernel might still write its memory");
        assertTrue(record.pending());
    }

    private OperationRecord startedRecord() {
        OperationRecord record = new OperationRecord(Arena.ofAuto().allocate(64));
        record.attach(new WaitSlot(), ring.records.add(record), r -> { });
        assertNotEquals(0, record.token());
        assertTrue(record.acquire());
        record.started();
        return record;
    }
}
