package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.ManualFibers;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.iocp.win32.CompletionHold;
import dev.fiberio.net.spi.Deadlines;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The races between a fiber that starts an overlapped receive and the poller threads that dequeue
 * its completion: before the fiber waits, while it switches out (the seed library's race), after its
 * hook, against its cancellation, and with no packet at all (skip on success). Fibers run on a
 * manual scheduler driven step by step by the test thread, so each interleaving is forced, not hoped
 * for; the poller side is either real poller threads (completion packets held and released with the
 * fake's {@link CompletionHold}) or the test polling itself.
 */
class CompletionRaceTest {
    private static final byte[] DATA = "completed".getBytes(StandardCharsets.US_ASCII);

    private final List<Fiber> submitted = new CopyOnWriteArrayList<>();
    private final FiberScheduler manual = ManualFibers.scheduler("manual", submitted::add);
    private FakeIocp iocp;

    @AfterEach
    void tearDown() throws Exception {
        assertEquals(0, manual.invariantViolations(), "invariant violations");
        manual.close();
        if (iocp != null) {
            iocp.close();
        }
    }

    /** Spawns {@code body} on the manual scheduler and returns the fiber (submitted, not run). */
    private Fiber spawn(Runnable body) {
        int before = submitted.size();
        manual.spawn(body);
        assertEquals(before + 1, submitted.size());
        return submitted.getLast();
    }

    /** A reader of one connection's data into {@code result} (its exception too). */
    private Runnable reader(IocpSocket socket, AtomicReference<Object> result) {
        return () -> {
            MemorySegment dst = MemorySegment.ofArray(new byte[64]);
            try {
                int n = socket.read(dst, Deadlines.NO_DEADLINE);
                result.set(dst.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            } catch (Throwable t) {
                result.set(t);
            }
        };
    }

    @Test
    void aCompletionDequeuedWhileTheFiberSwitchesOutIsResumedByItsHook() throws Exception {
        iocp = new FakeIocp(2);
        FakeIocp.Connection c = iocp.connection();
        WaitSlot slot = c.socket().readSlot;
        AtomicReference<Object> result = new AtomicReference<>();
        try (CompletionHold hold = iocp.fake.holdCompletions(
                p -> p.overlapped() == c.socket().readRecord().overlappedAddress())) {
            Fiber fiber = spawn(reader(c.socket(), result));

            ManualFibers.runUntilSwitchedOut(fiber); // WSARecv pending, the fiber yielded, its hook has not run
            assertEquals(WaitSlot.SUSPENDING, slot.state());
            iocp.fake.receive(c.handle(), DATA);      // the receive completes; its packet is held
            hold.awaitHeld(1);
            hold.releaseAll();                        // a poller thread dequeues it now, during the switch
            awaitCondition("the poller made the slot READY", () -> slot.state() == WaitSlot.READY);
            assertEquals(1, submitted.size(), "the waker saw SUSPENDING and left the resume to the hook");

            ManualFibers.runPostSwitchHook(fiber);    // the hook's CAS fails: it resumes the fiber itself
            assertEquals(2, submitted.size(), "resumed exactly once, by the hook");
            ManualFibers.run(submitted.getLast());
        }
        assertArrayEquals(DATA, (byte[]) result.get());
        c.socket().close();
        awaitCondition("records released", () -> live() == 0);
    }

    @Test
    void aCompletionAfterTheHookIsResumedByThePoller() throws Exception {
        iocp = new FakeIocp(2);
        FakeIocp.Connection c = iocp.connection();
        AtomicReference<Object> result = new AtomicReference<>();
        Fiber fiber = spawn(reader(c.socket(), result));

        ManualFibers.run(fiber); // switched out and hook ran: SUSPENDED
        assertEquals(WaitSlot.SUSPENDED, c.socket().readSlot.state());
        iocp.fake.receive(c.handle(), DATA);
        awaitCondition("the poller resumed the fiber", () -> submitted.size() == 2);
        ManualFibers.run(submitted.getLast());

        assertArrayEquals(DATA, (byte[]) result.get());
        c.socket().close();
    }

    @Test
    void aCompletionDispatchedBeforeTheFiberWaitsIsConsumedWithoutSuspending() throws Exception {
        iocp = new FakeIocp(0);
        FakeIocp.Connection c = iocp.connection();
        IocpPoller poller = iocp.poller();
        // Right after the (zero-byte) WSARecv returned "pending": the data arrives and this thread
        // dispatches the completion, before the reader reaches its wait. The receive of the data that
        // follows completes synchronously.
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        iocp.calls().after("wsaRecv", () -> {
            if (!first.getAndSet(false)) {
                return;
            }
            iocp.fake.receive(c.handle(), DATA);
            try {
                assertEquals(1, poller.poll(0));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        AtomicReference<Object> result = new AtomicReference<>();
        Fiber fiber = spawn(reader(c.socket(), result));
        ManualFibers.run(fiber);

        assertArrayEquals(DATA, (byte[]) result.get());
        assertEquals(1, submitted.size(), "never suspended, never resumed");
        assertEquals(WaitSlot.READY, c.socket().readSlot.state(), "the signal found no waiter and left a permit");
        c.socket().close();
    }

    @Test
    void aSynchronousSuccessQueuesNoPacketAndDoesNotWait() throws Exception {
        iocp = new FakeIocp(0);
        FakeIocp.Connection c = iocp.connection();
        iocp.fake.receive(c.handle(), DATA); // already there: WSARecv succeeds at once
        AtomicReference<Object> result = new AtomicReference<>();
        Fiber fiber = spawn(reader(c.socket(), result));
        ManualFibers.run(fiber);

        assertArrayEquals(DATA, (byte[]) result.get());
        assertEquals(1, submitted.size(), "never suspended");
        assertEquals(0, iocp.fake.queuedCompletions(iocp.group().port.handle()),
                "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: no packet for a synchronous success");
        assertEquals(WaitSlot.IDLE, c.socket().readSlot.state());
        assertEquals(0, c.socket().readRecord().stateVolatile(), "record free again at once");
        c.socket().close();
    }

    @Test
    void aCancelledReaderWaitsForItsCompletionAndLeavesTheDataForTheNextRead() throws Exception {
        iocp = new FakeIocp(2);
        FakeIocp.Connection c = iocp.connection();
        AtomicReference<Object> first = new AtomicReference<>();
        try (CompletionHold hold = iocp.fake.holdCompletions(
                p -> p.overlapped() == c.socket().readRecord().overlappedAddress())) {
            Fiber reader = spawn(reader(c.socket(), first));
            ManualFibers.run(reader);                 // SUSPENDED in the receive
            iocp.fake.receive(c.handle(), DATA);      // the receive completes, its packet held
            hold.awaitHeld(1);
            reader.cancel();                          // the cancellation wins the wake-up
            assertEquals(2, submitted.size());
            ManualFibers.run(submitted.getLast());    // CancelIoEx finds nothing left to cancel: wait for the packet
            assertEquals(null, first.get(), "the cancelled reader waits until the kernel is done with the record");
            assertTrue(c.socket().readRecord().pending());
            assertEquals(WaitSlot.SUSPENDED, c.socket().readSlot.state());
            hold.releaseAll();
            runUntilSet(first, 2);
        }
        assertInstanceOf(FiberCancelledException.class, first.get());
        assertFalse(c.socket().readRecord().pending(), "the record is free when the cancelled call returns");
        assertTrue(c.socket().readRecord().hasResult(), "the data that won the race is kept");
        assertEquals(1, iocp.calls().count("cancelIoEx"));

        AtomicReference<Object> second = new AtomicReference<>();
        ManualFibers.run(spawn(reader(c.socket(), second)));
        assertArrayEquals(DATA, (byte[]) second.get(), "the next read returns the data the cancelled one waited for");
        assertEquals(2, iocp.calls().count("wsaRecv"),
                "the cancelled zero-byte receive's completion was collected, not replaced; then one receive of the data");
        c.socket().close();
    }

    @Test
    void aReaderCancelledBeforeTheDataWaitsForTheAbortedCompletion() throws Exception {
        iocp = new FakeIocp(2);
        FakeIocp.Connection c = iocp.connection();
        AtomicReference<Object> first = new AtomicReference<>();
        Fiber reader = spawn(reader(c.socket(), first));
        ManualFibers.run(reader);
        reader.cancel();
        runUntilSet(first, 1); // CancelIoEx: the receive completes as aborted, a poller thread delivers it
        assertInstanceOf(FiberCancelledException.class, first.get());
        assertEquals(1, iocp.calls().count("cancelIoEx"));
        assertFalse(c.socket().readRecord().pending(), "the aborted completion was dequeued before the call returned");

        iocp.fake.receive(c.handle(), DATA);
        AtomicReference<Object> second = new AtomicReference<>();
        ManualFibers.run(spawn(reader(c.socket(), second)));
        assertArrayEquals(DATA, (byte[]) second.get());
        assertEquals(3, iocp.calls().count("wsaRecv"),
                "the aborted zero-byte receive was replaced by a new one, then the data was received");
        c.socket().close();
    }

    /**
     * Runs the fibers the manual scheduler receives, in order, as a worker would, until
     * {@code result} is set.
     *
     * @param ran how many of the submitted fibers the test ran already
     */
    private void runUntilSet(AtomicReference<Object> result, int ran) {
        for (int next = ran; result.get() == null; next++) {
            int index = next;
            awaitCondition("a fiber resumed", () -> submitted.size() > index);
            ManualFibers.run(submitted.get(index));
        }
    }

    @Test
    void manyRoundTripsOnSeveralPollersAndWorkers() throws Exception {
        iocp = new FakeIocp(3);
        FakeIocp.Connection c = iocp.connection();
        FiberScheduler workers = TestSchedulers.create(4);
        int rounds = 2000;
        try {
            Fiber echo = workers.spawn(() -> {
                MemorySegment one = MemorySegment.ofArray(new byte[1]);
                try {
                    for (int i = 0; i < rounds; i++) {
                        c.socket().read(one, Deadlines.NO_DEADLINE);
                        c.socket().write(one, Deadlines.NO_DEADLINE);
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            for (int i = 0; i < rounds; i++) {
                iocp.fake.receive(c.handle(), new byte[] {(byte) i});
                int round = i;
                awaitCondition("echo of round " + i, () -> {
                    byte[] back = iocp.fake.takeReceived(c.peer());
                    if (back.length == 0) {
                        return false;
                    }
                    assertArrayEquals(new byte[] {(byte) round}, back);
                    return true;
                });
            }
            echo.join();
        } finally {
            TestSchedulers.closeChecked(workers);
        }
        c.socket().close();
        awaitCondition("records released", () -> live() == 0);
    }

    private long live() {
        return iocp.live();
    }
}
