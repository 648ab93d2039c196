package dev.fiberio.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The handle is given back exactly once, and never while an operation uses it (no native handle needed). */
class CloseGuardTest {
    private final AtomicInteger closes = new AtomicInteger();
    private final CloseGuard guard = new CloseGuard(closes::incrementAndGet);

    @Test
    void closingAnIdleHandleClosesItAtOnce() {
        assertTrue(guard.close());
        assertFalse(guard.close());
        assertEquals(1, closes.get());
        assertFalse(guard.acquire());
        assertTrue(guard.isClosed());
    }

    @Test
    void theLastOperationInProgressClosesTheHandle() {
        assertTrue(guard.acquire());
        assertTrue(guard.acquire());
        assertTrue(guard.close());
        assertEquals(0, closes.get(), "operations in progress");
        assertFalse(guard.acquire(), "no new operation after close");
        guard.release();
        assertEquals(0, closes.get());
        guard.release();
        assertEquals(1, closes.get());
    }

    @Test
    void aCloseActionIsRequired() {
        assertThrows(NullPointerException.class, () -> new CloseGuard(null));
    }
}
