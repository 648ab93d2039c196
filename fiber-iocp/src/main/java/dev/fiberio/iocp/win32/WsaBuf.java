package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The {@code WSABUF} structure (winsock2.h / ws2def.h, x64: 16 bytes): {@code ULONG len}, 4 bytes
 * of padding, {@code CHAR *buf}. WSARecv and WSASend take an array of them.
 *
 * <p>Winsock copies the WSABUF array itself when the call returns ("it is the Winsock service
 * provider's responsibility to capture the WSABUF structures before returning", WSARecv docs), so
 * the array may be reused at once; the buffers it points to must stay allocated until the
 * completion was dequeued. Accessors are plain.
 */
public final class WsaBuf {

    /** The x64 layout of {@code WSABUF}. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("len"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("buf"))
            .withName("WSABUF");

    private static final long LEN = LAYOUT.byteOffset(groupElement("len"));
    private static final long BUF = LAYOUT.byteOffset(groupElement("buf"));
    private static final long MAX_LENGTH = 0xFFFF_FFFFL;

    private WsaBuf() {
    }

    /**
     * Bytes needed for an array of WSABUFs.
     *
     * @param count number of entries
     * @return {@code count * 16}
     */
    public static long arraySize(int count) {
        return LAYOUT.byteSize() * count;
    }

    /**
     * Points entry {@code index} at {@code buffer} (its whole size).
     *
     * @param array the WSABUF array
     * @param index entry index
     * @param buffer a native segment of at most 4 GiB - 1 bytes
     * @throws IllegalArgumentException if the buffer is on the heap or too large for a ULONG
     */
    public static void set(MemorySegment array, int index, MemorySegment buffer) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("WSABUF needs a native buffer");
        }
        if (buffer.byteSize() > MAX_LENGTH) {
            throw new IllegalArgumentException("WSABUF length " + buffer.byteSize() + " exceeds a ULONG");
        }
        long base = LAYOUT.byteSize() * index;
        array.set(JAVA_INT, base + LEN, (int) buffer.byteSize());
        array.set(ADDRESS, base + BUF, buffer);
    }

    /**
     * Plain read of {@code len} of entry {@code index}.
     *
     * @param array the WSABUF array
     * @param index entry index
     * @return the buffer length (ULONG, read as unsigned)
     */
    public static long length(MemorySegment array, int index) {
        return Integer.toUnsignedLong(array.get(JAVA_INT, LAYOUT.byteSize() * index + LEN));
    }

    /**
     * Plain read of {@code buf} of entry {@code index}, as a raw address.
     *
     * @param array the WSABUF array
     * @param index entry index
     * @return the buffer address
     */
    public static long buffer(MemorySegment array, int index) {
        return array.get(ADDRESS, LAYOUT.byteSize() * index + BUF).address();
    }
}
