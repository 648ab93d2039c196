package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Encodes {@link InetSocketAddress} into Windows {@code sockaddr_in} / {@code sockaddr_in6} and
 * decodes them back, and holds those layouts.
 *
 * <p>Layouts (ws2def.h, ws2ipdef.h): {@code sockaddr_in} is {@code {ADDRESS_FAMILY sin_family;
 * USHORT sin_port; IN_ADDR sin_addr; CHAR sin_zero[8];}} (16 bytes); {@code sockaddr_in6} is
 * {@code {ADDRESS_FAMILY sin6_family; USHORT sin6_port; ULONG sin6_flowinfo; IN6_ADDR sin6_addr;
 * ULONG sin6_scope_id;}} (28 bytes). Port and flow info are in network byte order; the family and
 * scope id in host (little-endian) order. {@code AF_INET6} is 23 on Windows.
 */
public final class SockAddrs {

    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort NET_SHORT_UNALIGNED = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The layout of {@code sockaddr_in}. */
    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero"))
            .withByteAlignment(4)
            .withName("sockaddr_in");

    /** The layout of {@code sockaddr_in6}. */
    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            NET_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id"))
            .withName("sockaddr_in6");

    /**
     * The layout of {@code sockaddr_storage} (ws2def.h: 128 bytes, 8-aligned): a buffer large enough
     * for any address, e.g. for getsockname. Only {@code ss_family} is named.
     */
    public static final StructLayout SOCKADDR_STORAGE = MemoryLayout.structLayout(
            JAVA_SHORT.withName("ss_family"),
            MemoryLayout.paddingLayout(126))
            .withByteAlignment(8)
            .withName("sockaddr_storage");

    /** The largest encoded length: {@code sizeof(sockaddr_in6)}. */
    public static final int MAX_LENGTH = (int) SOCKADDR_IN6.byteSize();

    private static final long IN_FAMILY = SOCKADDR_IN.byteOffset(groupElement("sin_family"));
    private static final long IN_PORT = SOCKADDR_IN.byteOffset(groupElement("sin_port"));
    private static final long IN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
    private static final long IN6_FAMILY = SOCKADDR_IN6.byteOffset(groupElement("sin6_family"));
    private static final long IN6_PORT = SOCKADDR_IN6.byteOffset(groupElement("sin6_port"));
    private static final long IN6_ADDR = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));
    private static final long IN6_SCOPE = SOCKADDR_IN6.byteOffset(groupElement("sin6_scope_id"));
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private SockAddrs() {
    }

    /**
     * The family a socket for this address needs.
     *
     * @param address a resolved address
     * @return {@link Win32Constants#AF_INET} or {@link Win32Constants#AF_INET6}
     */
    public static int family(InetSocketAddress address) {
        return resolved(address) instanceof Inet4Address ? Win32Constants.AF_INET : Win32Constants.AF_INET6;
    }

    /**
     * The encoded length for a family.
     *
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @return 16 or 28
     */
    public static int length(int family) {
        return switch (family) {
            case Win32Constants.AF_INET -> (int) SOCKADDR_IN.byteSize();
            case Win32Constants.AF_INET6 -> MAX_LENGTH;
            default -> throw new IllegalArgumentException("not an IP address family: " + family);
        };
    }

    /**
     * Encodes {@code address} for a socket of {@code family}, zeroing unused bytes. An IPv4 address
     * for an {@code AF_INET6} socket becomes the IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d}
     * (for dual-stack sockets).
     *
     * @param address a resolved address
     * @param family the socket's family, {@code AF_INET} or {@code AF_INET6}
     * @param dst at least {@link #length(int) length(family)} bytes
     * @return the number of bytes written, to pass as the {@code namelen} argument
     * @throws IllegalArgumentException if the address is unresolved or is IPv6 for an AF_INET socket
     */
    public static int encode(InetSocketAddress address, int family, MemorySegment dst) {
        InetAddress ip = resolved(address);
        int length = length(family);
        dst.asSlice(0, length).fill((byte) 0);
        if (family == Win32Constants.AF_INET) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException("IPv6 address " + ip + " for an AF_INET socket");
            }
            dst.set(JAVA_SHORT, IN_FAMILY, (short) Win32Constants.AF_INET);
            dst.set(NET_SHORT, IN_PORT, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, dst, JAVA_BYTE, IN_ADDR, 4);
            return length;
        }
        dst.set(JAVA_SHORT, IN6_FAMILY, (short) Win32Constants.AF_INET6);
        dst.set(NET_SHORT, IN6_PORT, (short) address.getPort());
        if (ip instanceof Inet6Address ip6) {
            MemorySegment.copy(ip6.getAddress(), 0, dst, JAVA_BYTE, IN6_ADDR, 16);
            dst.set(JAVA_INT, IN6_SCOPE, ip6.getScopeId());
        } else {
            MemorySegment.copy(V4_MAPPED_PREFIX, 0, dst, JAVA_BYTE, IN6_ADDR, V4_MAPPED_PREFIX.length);
            MemorySegment.copy(ip.getAddress(), 0, dst, JAVA_BYTE, IN6_ADDR + V4_MAPPED_PREFIX.length, 4);
        }
        return length;
    }

    /**
     * Decodes a {@code sockaddr_in} or {@code sockaddr_in6}. An IPv4-mapped IPv6 address decodes to
     * an {@link Inet4Address}, as {@link InetAddress#getByAddress(byte[])} does.
     *
     * @param src the sockaddr, at any alignment; must cover the whole struct for its family
     * @return the address and port
     * @throws IllegalArgumentException if the family is neither AF_INET nor AF_INET6
     */
    public static InetSocketAddress decode(MemorySegment src) {
        // Unaligned reads: GetAcceptExSockaddrs points into AcceptEx's own buffer format, where a
        // sockaddr need not be 4-byte aligned, and FFM rejects a misaligned aligned access.
        int family = src.get(JAVA_SHORT_UNALIGNED, IN_FAMILY);
        try {
            if (family == Win32Constants.AF_INET) {
                byte[] ip = src.asSlice(IN_ADDR, 4).toArray(JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(ip),
                        Short.toUnsignedInt(src.get(NET_SHORT_UNALIGNED, IN_PORT)));
            }
            if (family == Win32Constants.AF_INET6) {
                byte[] ip = src.asSlice(IN6_ADDR, 16).toArray(JAVA_BYTE);
                int port = Short.toUnsignedInt(src.get(NET_SHORT_UNALIGNED, IN6_PORT));
                int scope = src.get(JAVA_INT_UNALIGNED, IN6_SCOPE);
                InetAddress address = InetAddress.getByAddress(ip);
                if (address instanceof Inet6Address && scope != 0) {
                    address = Inet6Address.getByAddress(null, ip, scope);
                }
                return new InetSocketAddress(address, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
        throw new IllegalArgumentException("unsupported address family " + family);
    }

    private static InetAddress resolved(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        return ip;
    }
}
