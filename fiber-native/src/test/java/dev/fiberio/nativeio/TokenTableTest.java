package dev.fiberio.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tokens: never 0 (free for a backend's own use, IOCP's wake-up key), and stale once their channel was removed. */
class TokenTableTest {
    private final TokenTable<Object> table = new TokenTable<>();

    @Test
    void aReusedIndexGetsANewGenerationAndTheOldTokenGoesStale() {
        Object a = new Object();
        long ka = table.add(a);
        assertNotEquals(0L, ka);
        assertSame(a, table.lookup(ka));
        table.remove(ka);
        assertNull(table.lookup(ka));
        Object b = new Object();
        long kb = table.add(b);
        assertEquals((int) ka, (int) kb, "same index");
        assertNotEquals(ka, kb, "new generation");
        assertNull(table.lookup(ka), "the old token does not reach the new channel");
        assertSame(b, table.lookup(kb));
        table.remove(ka); // stale remove: no effect
        assertSame(b, table.lookup(kb));
        assertEquals(1, table.size());
        assertEquals(List.of(b), table.live());
    }

    @Test
    void growsAndRejectsUnknownTokens() {
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tokens.add(table.add(i));
        }
        assertEquals(200, table.size());
        for (int i = 0; i < tokens.size(); i++) {
            assertEquals(i, table.lookup(tokens.get(i)));
            table.remove(tokens.get(i));
        }
        assertEquals(0, table.size());
        assertNull(table.lookup(0));
        assertNull(table.lookup(-1));
        assertNull(table.lookup((7L << 32) | 100_000));
        table.remove((7L << 32) | 100_000); // unknown index: no effect, no exception
        assertEquals(0, table.size());
    }
}
