package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The {@code WSADATA} structure that WSAStartup fills, in its x64 member order (psdk_inc/_wsadata.h:
 * on {@code _WIN64} the two shorts and the vendor pointer come before the strings): 408 bytes.
 * fiberio reads only the negotiated version.
 */
public final class WsaData {

    /** {@code WSADESCRIPTION_LEN + 1} (winsock2.h: 256 + 1). */
    private static final int DESCRIPTION_SIZE = 257;
    /** {@code WSASYS_STATUS_LEN + 1} (winsock2.h: 128 + 1). */
    private static final int SYSTEM_STATUS_SIZE = 129;

    /** The x64 layout of {@code WSADATA}. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("wVersion"),
            JAVA_SHORT.withName("wHighVersion"),
            JAVA_SHORT.withName("iMaxSockets"),
            JAVA_SHORT.withName("iMaxUdpDg"),
            ADDRESS.withName("lpVendorInfo"),
            MemoryLayout.sequenceLayout(DESCRIPTION_SIZE, JAVA_BYTE).withName("szDescription"),
            MemoryLayout.sequenceLayout(SYSTEM_STATUS_SIZE, JAVA_BYTE).withName("szSystemStatus"),
            MemoryLayout.paddingLayout(6))
            .withName("WSADATA");

    private static final long VERSION = LAYOUT.byteOffset(groupElement("wVersion"));

    private WsaData() {
    }

    /**
     * Plain read of {@code wVersion}: the Winsock version WSAStartup agreed on.
     *
     * @param wsaData a WSADATA filled by WSAStartup
     * @return the version as {@code MAKEWORD(major, minor)}, e.g. {@link Win32Constants#WINSOCK_VERSION_2_2}
     */
    public static short version(MemorySegment wsaData) {
        return wsaData.get(JAVA_SHORT, VERSION);
    }

    /** Writes {@code wVersion} the way WSAStartup does. For the fake's role only. */
    static void setVersion(MemorySegment wsaData, short version) {
        wsaData.set(JAVA_SHORT, VERSION, version);
    }
}
