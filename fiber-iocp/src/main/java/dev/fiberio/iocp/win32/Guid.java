package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A Windows {@code GUID} (guiddef.h: {@code unsigned long Data1; unsigned short Data2, Data3;
 * unsigned char Data4[8];}, 16 bytes), plus the three Winsock extension-function GUIDs.
 *
 * @param data1 {@code Data1}
 * @param data2 {@code Data2}
 * @param data3 {@code Data3}
 * @param data4 {@code Data4[0..7]} packed big-endian: {@code Data4[0]} is the most significant byte
 */
public record Guid(int data1, short data2, short data3, long data4) {

    /** The layout of {@code GUID}. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("Data1"),
            JAVA_SHORT.withName("Data2"),
            JAVA_SHORT.withName("Data3"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("Data4"))
            .withName("GUID");

    /** {@code WSAID_ACCEPTEX} (mswsock.h): {b5367df1-cbac-11cf-95ca-00805f48a192}. */
    public static final Guid WSAID_ACCEPTEX =
            new Guid(0xb5367df1, (short) 0xcbac, (short) 0x11cf, 0x95ca00805f48a192L);
    /** {@code WSAID_CONNECTEX} (mswsock.h): {25a207b9-ddf3-4660-8ee9-76e58c74063e}. */
    public static final Guid WSAID_CONNECTEX =
            new Guid(0x25a207b9, (short) 0xddf3, (short) 0x4660, 0x8ee976e58c74063eL);
    /** {@code WSAID_GETACCEPTEXSOCKADDRS} (mswsock.h): {b5367df2-cbac-11cf-95ca-00805f48a192}. */
    public static final Guid WSAID_GETACCEPTEXSOCKADDRS =
            new Guid(0xb5367df2, (short) 0xcbac, (short) 0x11cf, 0x95ca00805f48a192L);

    private static final long DATA1 = LAYOUT.byteOffset(groupElement("Data1"));
    private static final long DATA2 = LAYOUT.byteOffset(groupElement("Data2"));
    private static final long DATA3 = LAYOUT.byteOffset(groupElement("Data3"));
    private static final long DATA4 = LAYOUT.byteOffset(groupElement("Data4"));
    /** Data4 read as one unaligned big-endian long, so Data4[0] is its most significant byte. */
    private static final ValueLayout.OfLong DATA4_BYTES = JAVA_LONG.withOrder(ByteOrder.BIG_ENDIAN).withByteAlignment(1);

    /**
     * Writes this GUID in its native (little-endian x64) memory form.
     *
     * @param dst a segment of at least 16 bytes
     */
    public void write(MemorySegment dst) {
        dst.set(JAVA_INT, DATA1, data1);
        dst.set(JAVA_SHORT, DATA2, data2);
        dst.set(JAVA_SHORT, DATA3, data3);
        dst.set(DATA4_BYTES, DATA4, data4);
    }

    /**
     * Reads a GUID from its native memory form.
     *
     * @param src a segment of at least 16 bytes
     * @return the GUID
     */
    public static Guid read(MemorySegment src) {
        return new Guid(src.get(JAVA_INT, DATA1), src.get(JAVA_SHORT, DATA2), src.get(JAVA_SHORT, DATA3),
                src.get(DATA4_BYTES, DATA4));
    }

    @Override
    public String toString() {
        return String.format("{%08x-%04x-%04x-%04x-%012x}", data1, data2, data3,
                (int) (data4 >>> 48) & 0xFFFF, data4 & 0xFFFF_FFFF_FFFFL);
    }
}
