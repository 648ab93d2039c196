package dev.fiberio.epoll.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fiberio.nativeio.ffi.LinuxConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-architecture layout of struct epoll_event and the array accessors. */
class EpollEventTest {

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    private static long dataOffset(StructLayout layout) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement("data"));
    }

    @Test
    void x86_64LayoutIsPacked() {
        for (String arch : new String[] {"amd64", "x86_64"}) {
            StructLayout layout = EpollEvent.layoutFor(arch);
            assertEquals(12, layout.byteSize(), arch);
            assertEquals(4, dataOffset(layout), arch);
            assertEquals(1, layout.byteAlignment(), arch);
        }
    }

    @Test
    void aarch64LayoutIsNaturallyAligned() {
        StructLayout layout = EpollEvent.layoutFor("aarch64");
        assertEquals(16, layout.byteSize());
        assertEquals(8, dataOffset(layout));
        assertEquals(8, layout.byteAlignment());
    }

    @Test
    void constantsFollowTheLayoutOfThisMachine() {
        StructLayout expected = EpollEvent.layoutFor(System.getProperty("os.arch"));
        assertEquals(expected, EpollEvent.LAYOUT);
        assertEquals(expected.byteSize(), EpollEvent.SIZE);
        assertEquals(dataOffset(expected), EpollEvent.DATA_OFFSET);
        assertEquals(0, EpollEvent.EVENTS_OFFSET);
    }

    @Test
    void elementsRoundTripWithoutDisturbingNeighbours() {
        MemorySegment events = EpollEvent.allocateArray(arena, 3);
        EpollEvent.set(events, 0, LinuxConstants.EPOLLIN, 1L);
        EpollEvent.set(events, 1, LinuxConstants.EPOLLET | LinuxConstants.EPOLLOUT, 0x8000_0000_0000_0001L);
        EpollEvent.set(events, 2, LinuxConstants.EPOLLHUP, -1L);

        assertEquals(LinuxConstants.EPOLLIN, EpollEvent.events(events, 0));
        assertEquals(1L, EpollEvent.data(events, 0));
        assertEquals(LinuxConstants.EPOLLET | LinuxConstants.EPOLLOUT, EpollEvent.events(events, 1));
        assertEquals(0x8000_0000_0000_0001L, EpollEvent.data(events, 1));
        assertEquals(LinuxConstants.EPOLLHUP, EpollEvent.events(events, 2));
        assertEquals(-1L, EpollEvent.data(events, 2));
    }

    @Test
    void arraySizeAndBounds() {
        MemorySegment events = EpollEvent.allocateArray(arena, 4);

        assertEquals(4 * EpollEvent.SIZE, events.byteSize());
        assertEquals(4, EpollEvent.capacity(events));
        assertThrows(IndexOutOfBoundsException.class, () -> EpollEvent.data(events, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> EpollEvent.set(events, -1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> EpollEvent.allocateArray(arena, 0));
    }
}
