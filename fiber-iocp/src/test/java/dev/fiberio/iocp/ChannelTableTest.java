package dev.fiberio.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Completion keys: never 0 (the wake-up key), and stale once their socket was removed. */
class ChannelTableTest {
    private final ChannelTable table = new ChannelTable();

    private static CompletionTarget target() {
        return new CompletionTarget() {
            @Override
            public OperationRecord recordAt(long overlappedAddress) {
                return null;
            }

            @Override
            public int errorOf(OperationRecord record, int ntStatus) {
                return 0;
            }
        };
    }

    @Test
    void aReusedIndexGetsANewGenerationAndTheOldKeyGoesStale() {
        CompletionTarget a = target();
        long ka = table.add(a);
        assertNotEquals(CompletionPort.WAKE_KEY, ka);
        assertSame(a, table.lookup(ka));
        table.remove(ka);
        assertNull(table.lookup(ka));
        CompletionTarget b = target();
        long kb = table.add(b);
        assertEquals((int) ka, (int) kb, "same index");
        assertNotEquals(ka, kb, "new generation");
        assertNull(table.lookup(ka), "the old key does not reach the new target");
        assertSame(b, table.lookup(kb));
        table.remove(ka); // stale remove: no effect
        assertSame(b, table.lookup(kb));
        assertEquals(1, table.size());
    }

    @Test
    void growsAndRejectsUnknownKeys() {
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            keys.add(table.add(target()));
        }
        assertEquals(200, table.size());
        for (long k : keys) {
            assertSame(table.lookup(k), table.lookup(k));
            table.remove(k);
        }
        assertEquals(0, table.size());
        assertNull(table.lookup(0));
        assertNull(table.lookup(-1));
        assertNull(table.lookup((7L << 32) | 100_000));
    }
}
