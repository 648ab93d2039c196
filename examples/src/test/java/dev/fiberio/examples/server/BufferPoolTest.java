package dev.fiberio.examples.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BufferPoolTest {
    @Test
    void reusesGivenArraysKeepsAtMostItsCapacityAndRejectsForeignArrays() {
        BufferPool pool = new BufferPool(2, 64);
        byte[] a = pool.take();
        byte[] b = pool.take();
        byte[] c = pool.take();
        assertEquals(64, a.length);
        assertNotSame(a, b);
        pool.give(a);
        pool.give(b);
        pool.give(c); // full: dropped
        byte[] x = pool.take();
        byte[] y = pool.take();
        byte[] z = pool.take();
        assertSame(a, x);
        assertSame(b, y);
        assertNotSame(c, z);
        assertThrows(IllegalArgumentException.class, () -> pool.give(new byte[63]));
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(0, 64));
    }
}
