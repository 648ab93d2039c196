package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.Charset;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Encodes {@link InetSocketAddress} into {@code struct sockaddr_in} / {@code struct sockaddr_in6}
 * and decodes them back, inside a caller-supplied segment sized as {@code struct sockaddr_storage}.
 *
 * <p>Layouts from ip(7), ipv6(7) and {@code <netinet/in.h>}: the family is in host byte order; the
 * port, the IPv4 address and the IPv6 flow label are in network (big-endian) byte order; the IPv6
 * scope id is in host byte order. Java has no flow label, so encoding writes 0 and decoding ignores
 * it. Decoding returns exactly what is there: an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d})
 * stays an {@link Inet6Address}.
 *
 * <p>Buffers: use {@link #allocate(Arena)} once per socket or per thread and reuse it; encoding
 * and decoding neither allocate nor keep the segment.
 */
public final class SockAddr {

    /** {@code sizeof(struct sockaddr_storage)}: room for any address family. */
    public static final int STORAGE_SIZE = 128;

    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct sockaddr_storage}: only the family is named; aligned as the C struct (8). */
    public static final StructLayout STORAGE_LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("ss_family"),
            MemoryLayout.paddingLayout(STORAGE_SIZE - 2)).withByteAlignment(8);

    /** {@code struct sockaddr_in}: 16 bytes. Member names are the C field names. */
    public static final StructLayout IN_LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            NET_INT.withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero"));

    /** {@code struct sockaddr_in6}: 28 bytes. Member names are the C field names. */
    public static final StructLayout IN6_LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            NET_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id"));

    /** Room for a path in {@code struct sockaddr_un}, the terminating NUL included. */
    public static final int UNIX_PATH_SIZE = 108;

    /** {@code struct sockaddr_un}: 110 bytes. Member names are the C field names. */
    public static final StructLayout UN_LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(UNIX_PATH_SIZE, JAVA_BYTE).withName("sun_path"));

    private static final long FAMILY_OFFSET = 0;
    private static final long SUN_PATH_OFFSET = offset(UN_LAYOUT, "sun_path");
    /** How the JDK encodes file names for the system (and so Unix domain socket paths). */
    private static final Charset PATH_CHARSET = pathCharset();
    private static final long PORT_OFFSET = offset(IN_LAYOUT, "sin_port");
    private static final long IN_ADDR_OFFSET = offset(IN_LAYOUT, "sin_addr");
    private static final long IN6_FLOWINFO_OFFSET = offset(IN6_LAYOUT, "sin6_flowinfo");
    private static final long IN6_ADDR_OFFSET = offset(IN6_LAYOUT, "sin6_addr");
    private static final long IN6_SCOPE_OFFSET = offset(IN6_LAYOUT, "sin6_scope_id");
    /** Byte 10 and 11 of an IPv4-mapped IPv6 address are 0xff (RFC 4291 section 2.5.5.2). */
    private static final int MAPPED_PREFIX_OFFSET = 10;

    private SockAddr() {
    }

    private static long offset(StructLayout layout, String member) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }

    /**
     * Allocates a zeroed {@code sockaddr_storage}.
     *
     * <p>Owner: {@code arena}; freed when the arena closes (for an automatic arena, after the segment
     * is unreachable).
     *
     * @param arena the arena that owns the memory
     * @return a 128-byte segment aligned to 8
     */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(STORAGE_LAYOUT);
    }

    /**
     * Encodes an address in its own family: {@code sockaddr_in} for an {@link Inet4Address},
     * {@code sockaddr_in6} (with its scope id) for an {@link Inet6Address}. Bytes of {@code storage}
     * beyond the returned length are not touched.
     *
     * @param address a resolved address
     * @param storage the destination, at least the returned length (a {@code sockaddr_storage} is always enough)
     * @return the number of bytes used: 16 for IPv4, 28 for IPv6 (pass it as {@code addrlen})
     * @throws IllegalArgumentException if {@code address} is unresolved
     * @throws IndexOutOfBoundsException if {@code storage} is too small
     */
    public static int encode(InetSocketAddress address, MemorySegment storage) {
        InetAddress ip = resolved(address);
        if (ip instanceof Inet4Address v4) {
            checkRoom(storage, IN_LAYOUT);
            storage.asSlice(0, IN_LAYOUT.byteSize()).fill((byte) 0);
            storage.set(JAVA_SHORT, FAMILY_OFFSET, (short) LinuxConstants.AF_INET);
            storage.set(NET_SHORT, PORT_OFFSET, (short) address.getPort());
            MemorySegment.copy(v4.getAddress(), 0, storage, JAVA_BYTE, IN_ADDR_OFFSET, 4);
            return (int) IN_LAYOUT.byteSize();
        }
        Inet6Address v6 = (Inet6Address) ip;
        return encode6(v6.getAddress(), v6.getScopeId(), address.getPort(), storage);
    }

    /**
     * Encodes an address as {@code sockaddr_in6}, for a dual-stack {@code AF_INET6} socket: an IPv4
     * address becomes the IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d}.
     *
     * @param address a resolved address
     * @param storage the destination, at least 28 bytes
     * @return 28, the number of bytes used
     * @throws IllegalArgumentException if {@code address} is unresolved
     * @throws IndexOutOfBoundsException if {@code storage} is too small
     */
    public static int encodeAsIpv6(InetSocketAddress address, MemorySegment storage) {
        InetAddress ip = resolved(address);
        if (ip instanceof Inet6Address v6) {
            return encode6(v6.getAddress(), v6.getScopeId(), address.getPort(), storage);
        }
        byte[] mapped = new byte[16];
        mapped[MAPPED_PREFIX_OFFSET] = (byte) 0xff;
        mapped[MAPPED_PREFIX_OFFSET + 1] = (byte) 0xff;
        System.arraycopy(ip.getAddress(), 0, mapped, 12, 4);
        return encode6(mapped, 0, address.getPort(), storage);
    }

    private static int encode6(byte[] address, int scopeId, int port, MemorySegment storage) {
        checkRoom(storage, IN6_LAYOUT);
        storage.asSlice(0, IN6_LAYOUT.byteSize()).fill((byte) 0);
        storage.set(JAVA_SHORT, FAMILY_OFFSET, (short) LinuxConstants.AF_INET6);
        storage.set(NET_SHORT, PORT_OFFSET, (short) port);
        storage.set(NET_INT, IN6_FLOWINFO_OFFSET, 0);
        MemorySegment.copy(address, 0, storage, JAVA_BYTE, IN6_ADDR_OFFSET, 16);
        storage.set(JAVA_INT, IN6_SCOPE_OFFSET, scopeId);
        return (int) IN6_LAYOUT.byteSize();
    }

    /**
     * Encodes a Unix domain socket address as {@code sockaddr_un}: the path's bytes in the JDK's file-name
     * encoding ({@code sun.jnu.encoding}), NUL-terminated. The rest of the struct is zeroed.
     *
     * @param address a named address (a non-empty path)
     * @param storage the destination, at least 110 bytes
     * @return the length to pass as {@code addrlen}: the path's offset, its bytes and the NUL
     * @throws java.net.SocketException  if the path is too long for {@code sun_path} (107 bytes), as the JDK
     * @throws IllegalArgumentException  if the path is empty
     */
    public static int encodeUnix(UnixDomainSocketAddress address, MemorySegment storage) throws java.net.SocketException {
        byte[] path = address.getPath().toString().getBytes(PATH_CHARSET);
        if (path.length == 0) {
            throw new IllegalArgumentException("the unnamed Unix domain address (empty path) cannot be bound or connected to");
        }
        if (path.length >= UNIX_PATH_SIZE) {
            throw new java.net.SocketException("Unix domain path too long");
        }
        checkRoom(storage, UN_LAYOUT);
        storage.asSlice(0, UN_LAYOUT.byteSize()).fill((byte) 0);
        storage.set(JAVA_SHORT, FAMILY_OFFSET, (short) LinuxConstants.AF_UNIX);
        MemorySegment.copy(path, 0, storage, JAVA_BYTE, SUN_PATH_OFFSET, path.length);
        return (int) SUN_PATH_OFFSET + path.length + 1;
    }

    /**
     * Decodes a {@code sockaddr_un} that the kernel filled into a zeroed segment: the path up to its
     * first NUL. An unnamed socket (the kernel wrote only the family) gives the empty path.
     *
     * @param storage a zeroed-then-filled socket address of family AF_UNIX
     * @return the address
     */
    public static UnixDomainSocketAddress decodeUnix(MemorySegment storage) {
        checkRoom(storage, UN_LAYOUT);
        int n = 0;
        while (n < UNIX_PATH_SIZE && storage.get(JAVA_BYTE, SUN_PATH_OFFSET + n) != 0) {
            n++;
        }
        byte[] path = storage.asSlice(SUN_PATH_OFFSET, n).toArray(JAVA_BYTE);
        return UnixDomainSocketAddress.of(new String(path, PATH_CHARSET));
    }

    /**
     * Decodes an address of any supported family: {@link #decode} for AF_INET and AF_INET6,
     * {@link #decodeUnix} for AF_UNIX (zero the segment before the call that fills it).
     *
     * @param storage a socket address
     * @return the address
     * @throws IllegalArgumentException for another family
     */
    public static SocketAddress decodeAny(MemorySegment storage) {
        return family(storage) == LinuxConstants.AF_UNIX ? decodeUnix(storage) : decode(storage);
    }

    private static Charset pathCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * The address family stored in a socket address.
     *
     * @param storage a socket address
     * @return the {@code sa_family} field, e.g. {@link LinuxConstants#AF_INET}
     */
    public static int family(MemorySegment storage) {
        return Short.toUnsignedInt(storage.get(JAVA_SHORT, FAMILY_OFFSET));
    }

    /**
     * Decodes a {@code sockaddr_in} or {@code sockaddr_in6}, as filled by accept4, getsockname or
     * getpeername. The result carries no host name (no lookup is done); an IPv6 address keeps a
     * non-zero scope id.
     *
     * @param storage a socket address
     * @return the address and port
     * @throws IllegalArgumentException if the family is neither AF_INET nor AF_INET6
     * @throws IndexOutOfBoundsException if {@code storage} is shorter than the family's struct
     */
    public static InetSocketAddress decode(MemorySegment storage) {
        int family = family(storage);
        int port = Short.toUnsignedInt(storage.get(NET_SHORT, PORT_OFFSET));
        try {
            if (family == LinuxConstants.AF_INET) {
                checkRoom(storage, IN_LAYOUT);
                byte[] ip = storage.asSlice(IN_ADDR_OFFSET, 4).toArray(JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            }
            if (family == LinuxConstants.AF_INET6) {
                checkRoom(storage, IN6_LAYOUT);
                byte[] ip = storage.asSlice(IN6_ADDR_OFFSET, 16).toArray(JAVA_BYTE);
                int scopeId = storage.get(JAVA_INT, IN6_SCOPE_OFFSET);
                // Inet6Address.getByAddress never turns a mapped address into an Inet4Address;
                // scope id -1 means "none", so the address does not print as "%0".
                return new InetSocketAddress(Inet6Address.getByAddress(null, ip, scopeId == 0 ? -1 : scopeId), port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("address of a fixed, valid length rejected", e);
        }
        throw new IllegalArgumentException("unsupported address family " + family);
    }

    /**
     * Encodes an address for a socket of {@code family}: a {@link UnixDomainSocketAddress} on an
     * {@code AF_UNIX} socket, an Internet address on an {@code AF_INET} socket, and either on an
     * {@code AF_INET6} socket (IPv4 as IPv4-mapped).
     *
     * @param family  the socket's family
     * @param address the address
     * @param storage the destination, a {@code sockaddr_storage}
     * @return the length to pass as {@code addrlen}
     * @throws java.net.UnknownHostException if an Internet address is unresolved
     * @throws java.net.SocketException      if the address does not fit the family, or a path is too long
     */
    public static int encodeFor(int family, SocketAddress address, MemorySegment storage) throws java.io.IOException {
        Objects.requireNonNull(address, "address");
        if (family == LinuxConstants.AF_UNIX) {
            if (!(address instanceof UnixDomainSocketAddress u)) {
                throw new java.net.SocketException("an AF_UNIX socket cannot use " + address);
            }
            return encodeUnix(u, storage);
        }
        if (!(address instanceof InetSocketAddress inet)) {
            throw new java.net.SocketException("an Internet socket cannot use " + address);
        }
        if (inet.isUnresolved()) {
            throw new UnknownHostException(inet.getHostString());
        }
        if (family == LinuxConstants.AF_INET6) {
            return encodeAsIpv6(inet, storage);
        }
        if (inet.getAddress() instanceof Inet6Address) {
            throw new java.net.SocketException("Protocol family unavailable: an IPv4 socket cannot use " + inet.getAddress());
        }
        return encode(inet, storage);
    }

    /**
     * Decodes what getsockname wrote for a socket of {@code family} (for {@code AF_UNIX} the caller
     * zeroed the storage first: the kernel writes only as much of {@code sun_path} as the name has).
     *
     * @param family  the socket's family
     * @param storage the address getsockname filled
     * @return the bound name, or null if the socket has none (an unnamed {@code AF_UNIX} socket, or
     *         an Internet socket never bound: the wildcard address with port 0)
     */
    public static SocketAddress decodeBound(int family, MemorySegment storage) {
        if (family == LinuxConstants.AF_UNIX) {
            UnixDomainSocketAddress u = decodeUnix(storage);
            return u.getPath().toString().isEmpty() ? null : u;
        }
        InetSocketAddress a = decode(storage);
        return a.getPort() == 0 && a.getAddress().isAnyLocalAddress() ? null : a;
    }

    /**
     * An IPv4-mapped address ({@code ::ffff:a.b.c.d}, what an IPv6 socket reports for an IPv4 peer) as
     * the IPv4 address java.net reports; any other address unchanged.
     *
     * @param a a decoded address
     * @return {@code a}, or its IPv4 form
     */
    public static InetSocketAddress unmapped(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        if (b.length != 16) {
            return a;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return a;
            }
        }
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return a;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}), a.getPort());
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4-byte address was rejected", e);
        }
    }

    private static InetAddress resolved(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        return ip;
    }

    private static void checkRoom(MemorySegment storage, StructLayout layout) {
        Objects.checkFromIndexSize(0, layout.byteSize(), storage.byteSize());
    }
}
