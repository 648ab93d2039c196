package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.WaitSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A worker's timer heap: what it keeps, and that cancelled timers do not pile up. */
class TimerQueueTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void timeoutsCancelledLongBeforeTheyAreDueDoNotPileUp() {
        // A server's read timeouts: each request arms one (30 s) and its bytes arrive at once, so it is
        // cancelled; nothing is due for 30 s. The heap must not keep every cancelled entry until then.
        TimerQueue q = new TimerQueue();
        WaitSlot slot = new WaitSlot();
        long now = 0;
        List<TimerQueue.Entry> live = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            TimerQueue.Entry e = q.schedule(now + 30 * SECOND, slot, i);
            if (i % 100 == 0) {
                live.add(e); // a few connections really are idle
            } else {
                assertTrue(e.cancel());
            }
            now += 10_000; // 100,000 requests per second
            q.expire(now);
        }
        assertEquals(1_000, live.size());
        assertTrue(q.size() <= 4 * live.size() + 130, "entries kept: " + q.size() + " for " + live.size() + " live timers");
        // The live ones still fire, at their deadlines and not before.
        assertEquals(0, q.expire(29 * SECOND));
        assertEquals(live.size(), q.expire(now + 30 * SECOND));
        assertEquals(0, q.size());
    }

    @Test
    void entriesFireInDeadlineOrderAndACancelledOneNever() {
        TimerQueue q = new TimerQueue();
        WaitSlot slot = new WaitSlot();
        TimerQueue.Entry late = q.schedule(3 * SECOND, slot, 1);
        TimerQueue.Entry early = q.schedule(SECOND, slot, 2);
        TimerQueue.Entry cancelled = q.schedule(2 * SECOND, slot, 3);
        assertTrue(cancelled.cancel());
        assertEquals(SECOND, q.nextDeadline());
        assertEquals(1, q.expire(2 * SECOND)); // early fires; the cancelled one is dropped
        assertEquals(3 * SECOND, q.nextDeadline());
        assertTrue(late.cancel());
        assertEquals(Long.MAX_VALUE, q.nextDeadline());
        assertEquals(0, q.expire(10 * SECOND));
        assertTrue(!early.cancel(), "a fired timer cannot be cancelled");
    }
}
