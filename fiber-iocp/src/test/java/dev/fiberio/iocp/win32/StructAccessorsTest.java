package dev.fiberio.iocp.win32;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The accessors of the struct classes read and write the bytes the x64 layout puts where. */
class StructAccessorsTest {

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void overlappedResultIsInternalAndInternalHigh() {
        MemorySegment overlapped = arena.allocate(Overlapped.LAYOUT);
        overlapped.fill((byte) 0x5a);
        Overlapped.clear(overlapped);
        assertEquals(0, overlapped.get(JAVA_LONG, 24), "hEvent cleared");

        Overlapped.complete(overlapped, Win32Constants.STATUS_CANCELLED, 1234);
        assertEquals(Win32Constants.STATUS_CANCELLED, Overlapped.status(overlapped));
        assertEquals(0xC0000120L, overlapped.get(JAVA_LONG, 0), "NTSTATUS zero-extended into Internal");
        assertEquals(1234, Overlapped.bytesTransferred(overlapped));
        assertEquals(1234L, overlapped.get(JAVA_LONG, 8), "InternalHigh");
    }

    @Test
    void overlappedEntryArrayIsIndexedBy32Bytes() {
        MemorySegment entries = arena.allocate(OverlappedEntry.arraySize(3));
        OverlappedEntry.set(entries, 2, 77L, 0x1000L, Win32Constants.STATUS_CONNECTION_RESET, 99);

        assertEquals(77L, OverlappedEntry.completionKey(entries, 2));
        assertEquals(0x1000L, OverlappedEntry.overlapped(entries, 2));
        assertEquals(Win32Constants.STATUS_CONNECTION_RESET, OverlappedEntry.status(entries, 2));
        assertEquals(99, OverlappedEntry.bytesTransferred(entries, 2));
        assertEquals(77L, entries.get(JAVA_LONG, 64), "entry 2 starts at byte 64");
        assertEquals(99, entries.get(JAVA_INT, 64 + 24), "dwNumberOfBytesTransferred at +24");
        assertEquals(0L, OverlappedEntry.completionKey(entries, 1), "entry 1 untouched");
    }

    @Test
    void wsaBufPointsAtANativeBuffer() {
        MemorySegment buffers = arena.allocate(WsaBuf.arraySize(2));
        MemorySegment data = arena.allocate(300);
        WsaBuf.set(buffers, 1, data);

        assertEquals(300L, WsaBuf.length(buffers, 1));
        assertEquals(data.address(), WsaBuf.buffer(buffers, 1));
        assertEquals(300, buffers.get(JAVA_INT, 16), "len at +0 of entry 1");
        assertEquals(data.address(), buffers.get(JAVA_LONG, 24), "buf at +8 of entry 1");
        assertThrows(IllegalArgumentException.class, () -> WsaBuf.set(buffers, 0, MemorySegment.ofArray(new byte[4])));
    }

    @Test
    void lingerIsTwoUnsignedShorts() {
        MemorySegment linger = arena.allocate(Linger.LAYOUT);
        Linger.set(linger, true, 65535);
        assertTrue(Linger.enabled(linger));
        assertEquals(65535, Linger.seconds(linger));
        assertArrayEquals(new byte[] {1, 0, (byte) 0xff, (byte) 0xff}, linger.toArray(JAVA_BYTE));
        Linger.set(linger, false, 0);
        assertFalse(Linger.enabled(linger));
        assertThrows(IllegalArgumentException.class, () -> Linger.set(linger, true, 65536));
    }

    @Test
    void wsaDataVersionIsTheFirstWord() {
        MemorySegment wsaData = arena.allocate(WsaData.LAYOUT);
        wsaData.set(JAVA_BYTE, 0, (byte) 2);
        wsaData.set(JAVA_BYTE, 1, (byte) 2);
        assertEquals(Win32Constants.WINSOCK_VERSION_2_2, WsaData.version(wsaData));
    }
}
