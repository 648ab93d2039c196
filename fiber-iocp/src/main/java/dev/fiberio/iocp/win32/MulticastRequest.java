package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteOrder;

/**
 * The multicast membership structures (ws2ipdef.h): {@code ip_mreq} (IPv4 group and interface, 8
 * bytes) for {@link Win32Constants#IP_ADD_MEMBERSHIP}, and {@code ipv6_mreq} (IPv6 group and interface
 * index, 20 bytes) for {@link Win32Constants#IPV6_ADD_MEMBERSHIP}. Windows takes an IPv4 interface as
 * an address or, for an address in 0.0.0.0/8 (other than 0.0.0.0), as the index in network byte order
 * (IPPROTO_IP socket options page); fiberio always passes the index, as {@link #ipv4Interface} encodes it.
 */
public final class MulticastRequest {

    /** The layout of {@code ip_mreq}: {@code IN_ADDR imr_multiaddr; IN_ADDR imr_interface;}. */
    public static final StructLayout IP_MREQ = MemoryLayout.structLayout(
            JAVA_INT.withName("imr_multiaddr"),
            JAVA_INT.withName("imr_interface"))
            .withName("ip_mreq");

    /** The layout of {@code ipv6_mreq}: {@code IN6_ADDR ipv6mr_multiaddr; ULONG ipv6mr_interface;}. */
    public static final StructLayout IPV6_MREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("ipv6mr_multiaddr"),
            JAVA_INT.withName("ipv6mr_interface"))
            .withName("ipv6_mreq");

    private static final ValueLayout.OfInt NET_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long IMR_MULTIADDR = IP_MREQ.byteOffset(groupElement("imr_multiaddr"));
    private static final long IMR_INTERFACE = IP_MREQ.byteOffset(groupElement("imr_interface"));
    private static final long IPV6MR_MULTIADDR = IPV6_MREQ.byteOffset(groupElement("ipv6mr_multiaddr"));
    private static final long IPV6MR_INTERFACE = IPV6_MREQ.byteOffset(groupElement("ipv6mr_interface"));

    private MulticastRequest() {
    }

    /**
     * Fills an {@code ip_mreq}.
     *
     * @param dst   at least {@link #IP_MREQ}'s size, 4-aligned
     * @param group the IPv4 group
     * @param index the interface index
     * @return the filled struct (a slice of {@code dst})
     */
    public static MemorySegment ipMreq(MemorySegment dst, Inet4Address group, int index) {
        MemorySegment m = dst.asSlice(0, IP_MREQ.byteSize());
        MemorySegment.copy(group.getAddress(), 0, m, JAVA_BYTE, IMR_MULTIADDR, 4);
        m.set(NET_INT, IMR_INTERFACE, ipv4Interface(index));
        return m;
    }

    /**
     * Fills an {@code ipv6_mreq}.
     *
     * @param dst   at least {@link #IPV6_MREQ}'s size, 4-aligned
     * @param group the IPv6 group
     * @param index the interface index (host byte order)
     * @return the filled struct (a slice of {@code dst})
     */
    public static MemorySegment ipv6Mreq(MemorySegment dst, Inet6Address group, int index) {
        MemorySegment m = dst.asSlice(0, IPV6_MREQ.byteSize());
        MemorySegment.copy(group.getAddress(), 0, m, JAVA_BYTE, IPV6MR_MULTIADDR, 16);
        m.set(JAVA_INT, IPV6MR_INTERFACE, index);
        return m;
    }

    /**
     * An interface index in the IPv4 form Windows reads as an index (0.0.0.0/8), as the value to store
     * in network byte order (for {@code imr_interface} and {@link Win32Constants#IP_MULTICAST_IF}).
     *
     * @param index the interface index, 1..2^24-1
     * @return the index, to be written big-endian
     */
    public static int ipv4Interface(int index) {
        if (index <= 0 || index >= 1 << 24) {
            throw new IllegalArgumentException("interface index outside 0.0.0.0/8: " + index);
        }
        return index;
    }

    /**
     * Plain read of the group of an {@code ip_mreq}.
     *
     * @param mreq an {@code ip_mreq}
     * @return the group's 4 bytes, network order
     */
    public static byte[] ipv4Group(MemorySegment mreq) {
        return mreq.asSlice(IMR_MULTIADDR, 4).toArray(JAVA_BYTE);
    }

    /**
     * Plain read of the group of an {@code ipv6_mreq}.
     *
     * @param mreq an {@code ipv6_mreq}
     * @return the group's 16 bytes
     */
    public static byte[] ipv6Group(MemorySegment mreq) {
        return mreq.asSlice(IPV6MR_MULTIADDR, 16).toArray(JAVA_BYTE);
    }
}
