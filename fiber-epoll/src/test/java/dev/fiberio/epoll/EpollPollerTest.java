package dev.fiberio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The poller driven by the test thread itself (no poller thread), so each step is observable. */
class EpollPollerTest {
    private EpollPoller poller;
    private long openBefore;

    @BeforeEach
    void setUp() throws IOException {
        openBefore = EpollChannel.OPEN_FDS.get();
        poller = new EpollPoller();
    }

    @AfterEach
    void tearDown() {
        poller.close();
        assertEquals(openBefore, EpollChannel.OPEN_FDS.get(), "every socket of the test was closed");
    }

    @Test
    void anEventForAClosedChannelNeverReachesTheChannelThatReusedItsSlot() throws IOException {
        EpollSocket first = EpollSocket.open(LinuxConstants.AF_INET, poller);
        long staleToken = first.token;
        first.close();
        EpollSocket second = EpollSocket.open(LinuxConstants.AF_INET, poller);
        try {
            assertEquals((int) staleToken, (int) second.token, "the table index is reused");
            assertNotEquals(staleToken, second.token, "with a new generation");
            assertNull(poller.tokens.lookup(staleToken));
            assertSame(second, poller.tokens.lookup(second.token));
            // An event that the kernel had queued for the first socket arrives now: it is dropped.
            assertFalse(poller.dispatch(staleToken, LinuxConstants.EPOLLIN | LinuxConstants.EPOLLOUT));
            assertEquals(1, poller.staleEvents(), "counted as dropped");
            // Ordinary readiness for the second one is delivered to its slots.
            assertEquals(WaitSlot.IDLE, second.readSlot.state(), "nothing dispatched yet");
            assertTrue(poller.dispatch(second.token, LinuxConstants.EPOLLIN));
            assertEquals(WaitSlot.READY, second.readSlot.state());
        } finally {
            second.close();
        }
    }

    @Test
    void aStaleEventDoesNotLeaveAPermitInTheNewSocket() throws IOException {
        EpollSocket first = EpollSocket.open(LinuxConstants.AF_INET, poller);
        long staleToken = first.token;
        first.close();
        EpollSocket second = EpollSocket.open(LinuxConstants.AF_INET, poller);
        try {
            // Drain whatever the kernel reported for the new socket at registration.
            poller.poll(0);
            consumePermit(second.readSlot);
            poller.dispatch(staleToken, LinuxConstants.EPOLLIN);
            assertEquals(WaitSlot.IDLE, second.readSlot.state());
        } finally {
            second.close();
        }
    }

    @Test
    void wakeupBeforePollMakesTheNextPollReturnAtOnce() throws IOException {
        poller.wakeup();
        assertEquals(0, poller.poll(-1), "a blocking poll returns because of the pending wake-up");
    }

    @Test
    void wakeupFromAnotherThreadEndsABlockedPoll() throws Exception {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(poller.poll(-1));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        // Repeat until the poll returned: a wake-up before the poll blocks is consumed by that poll.
        while (!result.isDone()) {
            poller.wakeup();
            Thread.onSpinWait();
        }
        assertEquals(0, result.get(30, TimeUnit.SECONDS));
        t.join();
    }

    /**
     * Repeated with a thread that polls in a loop, as a worker does: close must end the poll in
     * progress whatever point of its loop it is at, including a poll that just consumed a wake-up and
     * is about to begin the next one.
     */
    @RepeatedTest(300)
    void closeEndsABlockedPollAndLaterPollsReportClosed() throws Exception {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                int n;
                do {
                    n = poller.poll(-1);
                } while (n >= 0);
                result.complete(n);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        poller.wakeup(); // the loop's polls return and begin again while close runs
        poller.close();
        assertEquals(-1, result.get(30, TimeUnit.SECONDS));
        assertEquals(-1, poller.poll(0));
        assertThrows(IOException.class, () -> EpollSocket.open(LinuxConstants.AF_INET, poller));
        t.join();
    }

    private static void consumePermit(WaitSlot slot) {
        if (slot.state() == WaitSlot.READY) {
            slot.await();
        }
    }
}
