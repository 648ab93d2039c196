package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;

/**
 * The option values of multicast membership and interface selection, ip(7) and ipv6(7):
 * {@code struct ip_mreqn} (IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_IF) and
 * {@code struct ipv6_mreq} (IPV6_ADD_MEMBERSHIP, IPV6_DROP_MEMBERSHIP). Addresses are in network byte
 * order (copied as bytes), interface indexes in host order.
 */
public final class MulticastRequest {
    /** {@code struct ip_mreqn}: group, local interface address, interface index (12 bytes). */
    public static final StructLayout IP_MREQN_LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("imr_multiaddr"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("imr_address"),
            JAVA_INT.withName("imr_ifindex"));
    /** {@code struct ipv6_mreq}: group, interface index (20 bytes). */
    public static final StructLayout IPV6_MREQ_LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("ipv6mr_multiaddr"),
            JAVA_INT.withName("ipv6mr_interface"));

    private static final long IMR_ADDRESS = IP_MREQN_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("imr_address"));
    private static final long IMR_IFINDEX = IP_MREQN_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("imr_ifindex"));
    private static final long IPV6MR_INTERFACE = IPV6_MREQ_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("ipv6mr_interface"));

    private MulticastRequest() {
    }

    /**
     * Fills an {@code ip_mreqn} at the start of {@code dst}.
     *
     * @param dst     at least 12 bytes
     * @param group   the group, or null for 0.0.0.0 (IP_MULTICAST_IF)
     * @param ifindex the interface index (0: the kernel chooses)
     * @return the 12-byte slice to pass as the option value
     */
    public static MemorySegment ipMreqn(MemorySegment dst, Inet4Address group, int ifindex) {
        MemorySegment m = dst.asSlice(0, IP_MREQN_LAYOUT.byteSize());
        m.fill((byte) 0);
        if (group != null) {
            MemorySegment.copy(group.getAddress(), 0, m, JAVA_BYTE, 0, 4);
        }
        m.set(JAVA_INT, IMR_IFINDEX, ifindex);
        assert IMR_ADDRESS == 4;
        return m;
    }

    /**
     * Fills an {@code ipv6_mreq} at the start of {@code dst}.
     *
     * @param dst     at least 20 bytes
     * @param group   the group
     * @param ifindex the interface index (0: the kernel chooses)
     * @return the 20-byte slice to pass as the option value
     */
    public static MemorySegment ipv6Mreq(MemorySegment dst, Inet6Address group, int ifindex) {
        MemorySegment m = dst.asSlice(0, IPV6_MREQ_LAYOUT.byteSize());
        MemorySegment.copy(group.getAddress(), 0, m, JAVA_BYTE, 0, 16);
        m.set(JAVA_INT, IPV6MR_INTERFACE, ifindex);
        return m;
    }
}
