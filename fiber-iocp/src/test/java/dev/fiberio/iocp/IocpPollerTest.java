package dev.fiberio.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.iocp.win32.Win32Constants;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poller on the fake port: sticky wake-up packets, timeouts, stale keys, and the closing chain. */
class IocpPollerTest {
    private FakeIocp iocp;

    @AfterEach
    void tearDown() {
        if (iocp != null) {
            iocp.close();
        }
    }

    @Test
    void repeatedWakeupsPostOnePacketUntilItIsDequeued() throws Exception {
        iocp = new FakeIocp(0);
        IocpPoller poller = iocp.poller();
        long port = iocp.group().port.handle();
        poller.wakeup();
        poller.wakeup();
        poller.wakeup();
        assertEquals(1, iocp.fake.queuedCompletions(port), "sticky: one packet for three wake-ups");
        assertEquals(0, poller.poll(-1), "returns at once: a wake-up, nothing dispatched");
        assertEquals(0, iocp.fake.queuedCompletions(port));
        poller.wakeup();
        assertEquals(1, iocp.fake.queuedCompletions(port), "dequeued, so the next wake-up posts again");
        assertEquals(2, iocp.group().port.wakePacketsPosted());
    }

    @Test
    void aPollWithoutPacketsTimesOut() throws Exception {
        iocp = new FakeIocp(0);
        assertEquals(0, iocp.poller().poll(0));
        assertEquals(0, iocp.poller().poll(1_000_000));
    }

    @Test
    void aPacketWithAnUnknownKeyIsStale() throws Exception {
        iocp = new FakeIocp(0);
        long port = iocp.group().port.handle();
        assertTrue(iocp.fake.postQueuedCompletionStatus(port, 7, (1L << 32) | 5, MemorySegment.NULL));
        assertEquals(0, iocp.poller().poll(0), "nothing dispatched");
        assertEquals(1, iocp.group().port.dispatcher().staleCompletions());
    }

    @Test
    void closingThePortEndsEveryBlockedPollerThroughTheChain() throws Exception {
        iocp = new FakeIocp(3);
        IocpGroup group = iocp.group();
        long port = group.port.handle();
        iocp.fake.awaitWaiters(port, 3);
        group.close(); // returns only after the three poller threads were joined
        assertTrue(group.port.isClosing());
        assertTrue(group.port.wakePacketsPosted() >= 4, "the close's packet and one per poller leaving");
        assertEquals(1, iocp.calls().count("closeHandle"), "CloseHandle after the last poller left");
        assertEquals(-1, new IocpPoller(iocp.win32, group.port).poll(-1), "a closed port polls no more");
        assertEquals(1, iocp.calls().count("wsaCleanup"));
        group.close();
        assertEquals(1, iocp.calls().count("wsaCleanup"), "idempotent");
    }

    @Test
    void timeoutsRoundUpToMillisecondsAndNegativeIsInfinite() {
        assertEquals(Win32Constants.INFINITE, IocpPoller.toMillis(-1));
        assertEquals(0, IocpPoller.toMillis(0));
        assertEquals(1, IocpPoller.toMillis(1));
        assertEquals(1, IocpPoller.toMillis(1_000_000));
        assertEquals(2, IocpPoller.toMillis(1_000_001));
        assertEquals(Integer.MAX_VALUE, IocpPoller.toMillis(Long.MAX_VALUE));
        assertFalse(IocpPoller.toMillis(Long.MAX_VALUE) == Win32Constants.INFINITE);
    }
}
