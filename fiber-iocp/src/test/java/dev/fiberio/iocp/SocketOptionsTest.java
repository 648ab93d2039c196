package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.SOL_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.SO_EXCLUSIVEADDRUSE;
import static dev.fiberio.iocp.win32.Win32Constants.SO_REUSEADDR;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Options reach Winsock with the right level, name and encoding; SO_REUSEADDR is emulated. */
class SocketOptionsTest {
    private final FakeIocp iocp = new FakeIocp(1);

    @AfterEach
    void tearDown() {
        iocp.close();
    }

    /** The int value of an option as stored in the fake, or -1 if it was never set. */
    private int stored(long socket, int name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 4);
            return iocp.fake.getsockopt(socket, SOL_SOCKET, name, value, length) == 0 ? value.get(JAVA_INT, 0) : -1;
        }
    }

    @Test
    void socketsAreBoundExclusivelyAndReuseAddressIsOnlyRecorded() throws Exception {
        IocpSocket s = IocpSocket.open(iocp.group(), AF_INET);
        assertEquals(1, stored(s.handle, SO_EXCLUSIVEADDRUSE), "SO_EXCLUSIVEADDRUSE set before any bind");
        assertFalse(s.getOption(StandardSocketOptions.SO_REUSEADDR));
        s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        assertTrue(s.getOption(StandardSocketOptions.SO_REUSEADDR));
        assertEquals(-1, stored(s.handle, SO_REUSEADDR), "never passed to Winsock");
        s.close();
    }

    @Test
    void valuesRoundTripThroughWinsock() throws Exception {
        IocpSocket s = IocpSocket.open(iocp.group(), AF_INET);
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
        s.setOption(StandardSocketOptions.SO_KEEPALIVE, false);
        assertFalse(s.getOption(StandardSocketOptions.SO_KEEPALIVE));
        s.setOption(StandardSocketOptions.SO_RCVBUF, 12345);
        assertEquals(12345, s.getOption(StandardSocketOptions.SO_RCVBUF));
        s.setOption(StandardSocketOptions.SO_LINGER, 7);
        assertEquals(7, s.getOption(StandardSocketOptions.SO_LINGER));
        s.setOption(StandardSocketOptions.SO_LINGER, 100_000);
        assertEquals(0xFFFF, s.getOption(StandardSocketOptions.SO_LINGER), "capped to the u_short of linger");
        s.setOption(StandardSocketOptions.SO_LINGER, -1);
        assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER), "off");
        assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.SO_SNDBUF, -1));
        assertThrows(UnsupportedOperationException.class, () -> s.setOption(StandardSocketOptions.SO_REUSEPORT, true));
        assertThrows(UnsupportedOperationException.class, () -> s.getOption(StandardSocketOptions.IP_TOS));
        s.close();
    }

    @Test
    void aOneByteBooleanIsReadAsSuch() {
        MemorySegment value = MemorySegment.ofArray(new int[] {0x55555501}); // little-endian: byte 0 is 1
        assertEquals(true, SocketOptions.decode(StandardSocketOptions.TCP_NODELAY, value, 1));
        assertEquals(0x55555501, SocketOptions.decode(StandardSocketOptions.SO_RCVBUF, value, 4));
    }
}
