package dev.fiberio.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The option checks and conversions every native backend shares (java.net's messages and limits). */
class OptionValuesTest {
    private static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.TCP_NODELAY);

    @Test
    void anOptionNotSupportedOrNullIsRefusedBeforeItsValueIsLookedAt() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> OptionValues.requireSettable(SUPPORTED, StandardSocketOptions.SO_LINGER, null));
        assertEquals("'SO_LINGER' not supported", e.getMessage());
        assertThrows(NullPointerException.class, () -> OptionValues.requireSupported(SUPPORTED, null));
        NullPointerException v = assertThrows(NullPointerException.class,
                () -> OptionValues.requireSettable(SUPPORTED, StandardSocketOptions.SO_RCVBUF, null));
        assertEquals("value of SO_RCVBUF", v.getMessage());
        OptionValues.requireSettable(SUPPORTED, StandardSocketOptions.TCP_NODELAY, true);
    }

    @Test
    void booleansAreOneOrZeroAndIntegersMustNotBeNegative() {
        assertEquals(1, OptionValues.toInt(StandardSocketOptions.TCP_NODELAY, true));
        assertEquals(0, OptionValues.toInt(StandardSocketOptions.TCP_NODELAY, false));
        assertEquals(4096, OptionValues.toInt(StandardSocketOptions.SO_RCVBUF, 4096));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.toInt(StandardSocketOptions.SO_RCVBUF, -1));
        assertEquals("negative value for SO_RCVBUF: -1", e.getMessage());
    }

    @Test
    void ttlAndTosAreBytes() {
        assertEquals(255, OptionValues.toInt(StandardSocketOptions.IP_MULTICAST_TTL, 255));
        assertEquals("Invalid TTL/hop value: 256", assertThrows(IllegalArgumentException.class,
                () -> OptionValues.toInt(StandardSocketOptions.IP_MULTICAST_TTL, 256)).getMessage());
        assertEquals("Invalid TTL/hop value: -1", assertThrows(IllegalArgumentException.class,
                () -> OptionValues.toInt(StandardSocketOptions.IP_MULTICAST_TTL, -1)).getMessage());
        assertEquals("Invalid IP_TOS value: 256", assertThrows(IllegalArgumentException.class,
                () -> OptionValues.toInt(StandardSocketOptions.IP_TOS, 256)).getMessage());
    }

    @Test
    void valuesReadBackHaveTheOptionsType() {
        assertEquals(Boolean.TRUE, OptionValues.fromInt(StandardSocketOptions.SO_KEEPALIVE, 8)); // any non-zero
        assertEquals(Boolean.FALSE, OptionValues.fromInt(StandardSocketOptions.SO_KEEPALIVE, 0));
        assertEquals(Integer.valueOf(8), OptionValues.fromInt(StandardSocketOptions.SO_SNDBUF, 8));
    }

    @Test
    void lingerIsOffWhenNegativeAndCappedAtTheLargestUnsignedShort() {
        assertFalse(OptionValues.lingerOn(-1));
        assertTrue(OptionValues.lingerOn(0));
        assertEquals(0, OptionValues.lingerSeconds(-1));
        assertEquals(7, OptionValues.lingerSeconds(7));
        assertEquals(65_535, OptionValues.lingerSeconds(100_000));
        assertEquals(-1, OptionValues.lingerValue(false, 30));
        assertEquals(30, OptionValues.lingerValue(true, 30));
    }
}
