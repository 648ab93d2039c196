package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The {@code WSAPROTOCOL_INFOW} structure (winsock2.h, 628 bytes, 4-aligned), the value of
 * {@code getsockopt(SOL_SOCKET, SO_PROTOCOL_INFOW)}: which provider serves a socket. fiberio reads one
 * bit of it, {@link Win32Constants#XP1_IFS_HANDLES} in {@code dwServiceFlags1}: only a provider whose
 * handles are IFS handles may be given FILE_SKIP_COMPLETION_PORT_ON_SUCCESS ("is only compatible with
 * Layered Service Providers that return IFS handles", SetFileCompletionNotificationModes).
 */
public final class ProtocolInfo {

    /** The layout of {@code WSAPROTOCOL_INFOW}; {@code WSAPROTOCOL_LEN} is 255, the name has 256 WCHARs. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("dwServiceFlags1"),
            JAVA_INT.withName("dwServiceFlags2"),
            JAVA_INT.withName("dwServiceFlags3"),
            JAVA_INT.withName("dwServiceFlags4"),
            JAVA_INT.withName("dwProviderFlags"),
            Guid.LAYOUT.withName("ProviderId"),
            JAVA_INT.withName("dwCatalogEntryId"),
            MemoryLayout.structLayout(
                    JAVA_INT.withName("ChainLen"),
                    MemoryLayout.sequenceLayout(7, JAVA_INT).withName("ChainEntries")).withName("ProtocolChain"),
            JAVA_INT.withName("iVersion"),
            JAVA_INT.withName("iAddressFamily"),
            JAVA_INT.withName("iMaxSockAddr"),
            JAVA_INT.withName("iMinSockAddr"),
            JAVA_INT.withName("iSocketType"),
            JAVA_INT.withName("iProtocol"),
            JAVA_INT.withName("iProtocolMaxOffset"),
            JAVA_INT.withName("iNetworkByteOrder"),
            JAVA_INT.withName("iSecurityScheme"),
            JAVA_INT.withName("dwMessageSize"),
            JAVA_INT.withName("dwProviderReserved"),
            MemoryLayout.sequenceLayout(256, JAVA_CHAR).withName("szProtocol"))
            .withName("WSAPROTOCOL_INFOW");

    private static final long SERVICE_FLAGS_1 = LAYOUT.byteOffset(groupElement("dwServiceFlags1"));

    private ProtocolInfo() {
    }

    /**
     * {@code dwServiceFlags1}.
     *
     * @param info a {@link #LAYOUT}-sized segment
     * @return the flags
     */
    public static int serviceFlags1(MemorySegment info) {
        return info.get(JAVA_INT, SERVICE_FLAGS_1);
    }

    /**
     * Sets {@code dwServiceFlags1} (the fake kernel's side).
     *
     * @param info a {@link #LAYOUT}-sized segment
     * @param flags the flags
     */
    public static void setServiceFlags1(MemorySegment info, int flags) {
        info.set(JAVA_INT, SERVICE_FLAGS_1, flags);
    }

    /**
     * Whether the provider returns IFS handles ({@link Win32Constants#XP1_IFS_HANDLES}).
     *
     * @param info a filled {@code WSAPROTOCOL_INFOW}
     * @return true if FILE_SKIP_COMPLETION_PORT_ON_SUCCESS may be used on its sockets
     */
    public static boolean ifsHandles(MemorySegment info) {
        return (serviceFlags1(info) & Win32Constants.XP1_IFS_HANDLES) != 0;
    }
}
