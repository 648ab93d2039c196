package dev.fiberio.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The handle is given back exactly once, and never while a call uses it. */
class HandleGuardTest {
    private final AtomicInteger closes = new AtomicInteger();
    private final HandleGuard guard = new HandleGuard(42, closes::incrementAndGet);

    @Test
    void closingAnIdleHandleClosesItAtOnce() {
        assertTrue(guard.close());
        assertFalse(guard.close());
        assertEquals(1, closes.get());
        assertFalse(guard.enter());
        assertTrue(guard.isClosing());
    }

    @Test
    void theLastCallInProgressClosesTheHandle() {
        assertTrue(guard.enter());
        assertTrue(guard.enter());
        assertTrue(guard.close());
        assertEquals(0, closes.get(), "calls in progress");
        assertFalse(guard.enter(), "no new call after close");
        guard.leave();
        assertEquals(0, closes.get());
        guard.leave();
        assertEquals(1, closes.get());
    }
}
