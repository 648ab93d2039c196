package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.net.spi.Deadlines;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A completion that names a closed socket's key, or a record with nothing pending, is dropped
 * without touching the operation that now uses the same record memory.
 */
class StaleCompletionTest {
    private final FakeIocp iocp = new FakeIocp(2);
    private final FiberScheduler scheduler = TestSchedulers.create(2);

    @AfterEach
    void tearDown() throws Exception {
        TestSchedulers.closeChecked(scheduler);
        iocp.close();
    }

    @Test
    void aStaleCompletionForAReusedRecordIsDropped() throws Exception {
        FakeIocp.Connection first = iocp.connection();
        long staleKey = first.socket().token();
        long readRecordAddress = first.socket().readRecord().overlappedAddress();
        first.socket().close();

        FakeIocp.Connection second = iocp.connection(); // takes the pooled records of the first
        IocpSocket s = second.socket();
        assertEquals(readRecordAddress, s.readRecord().overlappedAddress(), "the pool handed the record on");
        long port = iocp.group().port.handle();

        MemorySegment dst = MemorySegment.ofArray(new byte[8]);
        CompletableFuture<Integer> read = new CompletableFuture<>();
        scheduler.spawn(() -> {
            try {
                read.complete(s.read(dst, Deadlines.NO_DEADLINE));
            } catch (Throwable t) {
                read.completeExceptionally(t);
            }
        });
        awaitCondition("reader suspended", () -> s.readSlot.state() == WaitSlot.SUSPENDED);
        CompletionDispatcher dispatcher = iocp.group().port.dispatcher();
        long staleBefore = dispatcher.staleCompletions();

        // The first socket's key with the reused address; the second's key with its idle write record;
        // the second's key with an address that is none of its records.
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(32);
            iocp.fake.postQueuedCompletionStatus(port, 5, staleKey, s.readRecord().overlapped());
            iocp.fake.postQueuedCompletionStatus(port, 5, s.token(), s.writeRecord().overlapped());
            iocp.fake.postQueuedCompletionStatus(port, 5, s.token(), foreign);
            awaitCondition("three stale completions dropped",
                    () -> dispatcher.staleCompletions() == staleBefore + 3);
        }
        assertFalse(read.isDone(), "the pending read was not completed by a stale packet");
        assertTrue(s.readRecord().pending());
        assertEquals(WaitSlot.SUSPENDED, s.readSlot.state());

        byte[] data = "fresh".getBytes(StandardCharsets.US_ASCII);
        iocp.fake.receive(second.handle(), data);
        int n = read.join();
        assertArrayEquals(data, dst.asSlice(0, n).toArray(JAVA_BYTE));
        s.close();
        awaitCondition("records released", () -> iocp.live() == 0);
    }
}
