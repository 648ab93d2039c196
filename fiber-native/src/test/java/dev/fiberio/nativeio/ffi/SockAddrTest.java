package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Byte-level encoding and decoding of sockaddr_in / sockaddr_in6 (no sockets involved). */
class SockAddrTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment storage = SockAddr.allocate(arena);

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    private static byte[] ipv6(String text) throws UnknownHostException {
        byte[] bytes = InetAddress.getByName(text).getAddress();
        assertEquals(16, bytes.length, text + " must parse as IPv6");
        return bytes;
    }

    /** The IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d} (RFC 4291 section 2.5.5.2). */
    private static byte[] mapped(int a, int b, int c, int d) {
        byte[] address = new byte[16];
        address[10] = (byte) 0xFF;
        address[11] = (byte) 0xFF;
        address[12] = (byte) a;
        address[13] = (byte) b;
        address[14] = (byte) c;
        address[15] = (byte) d;
        return address;
    }

    private byte[] bytes(long offset, int length) {
        return storage.asSlice(offset, length).toArray(JAVA_BYTE);
    }

    @Test
    void storageIsTheSizeOfSockaddrStorage() {
        assertEquals(128, SockAddr.STORAGE_SIZE);
        assertEquals(SockAddr.STORAGE_SIZE, storage.byteSize());
        assertEquals(0, storage.address() % 8, "sockaddr_storage is 8-aligned");
    }

    @Test
    void ipv4IsEncodedWithPortAndAddressInNetworkOrder() throws Exception {
        storage.fill((byte) 0x55);
        int length = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("192.168.1.2"), 0x1F90), storage);

        assertEquals(16, length);
        assertEquals(LinuxConstants.AF_INET, storage.get(JAVA_SHORT, 0), "family in host order");
        assertArrayEquals(new byte[] {0x1F, (byte) 0x90}, bytes(2, 2), "port big-endian");
        assertArrayEquals(new byte[] {(byte) 192, (byte) 168, 1, 2}, bytes(4, 4), "address as written");
        assertArrayEquals(new byte[8], bytes(8, 8), "sin_zero cleared");
        assertEquals((byte) 0x55, storage.get(JAVA_BYTE, 16), "bytes beyond the length untouched");
    }

    @Test
    void ipv6IsEncodedWithScopeIdAndZeroFlowInfo() throws Exception {
        storage.fill((byte) 0x55);
        byte[] linkLocal = ipv6("fe80::1:2");
        InetSocketAddress address = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 3), 65535);

        int length = SockAddr.encode(address, storage);

        assertEquals(28, length);
        assertEquals(LinuxConstants.AF_INET6, storage.get(JAVA_SHORT, 0));
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF}, bytes(2, 2), "port big-endian");
        assertArrayEquals(new byte[4], bytes(4, 4), "flow info");
        assertArrayEquals(linkLocal, bytes(8, 16));
        assertEquals(3, storage.get(JAVA_INT, 24), "scope id in host order");
        assertEquals((byte) 0x55, storage.get(JAVA_BYTE, 28), "bytes beyond the length untouched");
    }

    @Test
    void ipv4RoundTrips() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("10.20.30.40"), 443);
        SockAddr.encode(address, storage);

        InetSocketAddress decoded = SockAddr.decode(storage);

        assertEquals(address, decoded);
        assertInstanceOf(Inet4Address.class, decoded.getAddress());
        assertEquals(LinuxConstants.AF_INET, SockAddr.family(storage));
    }

    @Test
    void ipv6RoundTripsWithScopeId() throws Exception {
        Inet6Address ip = Inet6Address.getByAddress(null, ipv6("fe80::abcd"), 7);
        SockAddr.encode(new InetSocketAddress(ip, 8080), storage);

        InetSocketAddress decoded = SockAddr.decode(storage);

        Inet6Address decodedIp = assertInstanceOf(Inet6Address.class, decoded.getAddress());
        assertArrayEquals(ip.getAddress(), decodedIp.getAddress());
        assertEquals(7, decodedIp.getScopeId());
        assertEquals(8080, decoded.getPort());
    }

    @Test
    void ipv6WithoutScopeIdDecodesWithoutOne() throws Exception {
        SockAddr.encode(new InetSocketAddress(InetAddress.getByName("::1"), 80), storage);

        InetSocketAddress decoded = SockAddr.decode(storage);

        assertEquals(InetAddress.getByName("::1"), decoded.getAddress());
        assertEquals(0, ((Inet6Address) decoded.getAddress()).getScopeId());
        assertFalse(decoded.getAddress().getHostAddress().contains("%"), decoded.toString());
    }

    @Test
    void ipv4MappedIpv6AddressDecodesAsIpv6() {
        byte[] mapped = mapped(1, 2, 3, 4);
        storage.set(JAVA_SHORT, 0, (short) LinuxConstants.AF_INET6);
        storage.set(JAVA_BYTE, 2, (byte) 0);
        storage.set(JAVA_BYTE, 3, (byte) 80);
        MemorySegment.copy(mapped, 0, storage, JAVA_BYTE, 8, 16);

        InetSocketAddress decoded = SockAddr.decode(storage);

        Inet6Address ip = assertInstanceOf(Inet6Address.class, decoded.getAddress());
        assertArrayEquals(mapped, ip.getAddress());
        assertEquals(80, decoded.getPort());
    }

    @Test
    void encodeAsIpv6MapsIpv4Addresses() throws Exception {
        int length = SockAddr.encodeAsIpv6(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 25), storage);

        assertEquals(28, length);
        assertEquals(LinuxConstants.AF_INET6, SockAddr.family(storage));
        assertArrayEquals(mapped(10, 1, 2, 3), bytes(8, 16));
        assertEquals(25, SockAddr.decode(storage).getPort());
    }

    @Test
    void encodeAsIpv6KeepsIpv6Addresses() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("2001:db8::5"), 9);

        assertEquals(28, SockAddr.encodeAsIpv6(address, storage));
        assertEquals(address, SockAddr.decode(storage));
    }

    @Test
    void unresolvedAddressIsRejected() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 80);

        assertThrows(IllegalArgumentException.class, () -> SockAddr.encode(unresolved, storage));
        assertThrows(IllegalArgumentException.class, () -> SockAddr.encodeAsIpv6(unresolved, storage));
    }

    @Test
    void unsupportedFamilyIsRejected() {
        storage.set(JAVA_SHORT, 0, (short) LinuxConstants.AF_UNIX);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SockAddr.decode(storage));
        assertEquals("unsupported address family 1", e.getMessage());
    }

    @Test
    void tooSmallSegmentIsRejected() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 1);
        MemorySegment small = storage.asSlice(0, 16);

        assertThrows(IndexOutOfBoundsException.class, () -> SockAddr.encode(v6, small));
        SockAddr.encode(v6, storage);
        assertThrows(IndexOutOfBoundsException.class, () -> SockAddr.decode(storage.asSlice(0, 20)));
    }

    @Test
    void unmappedTurnsOnlyIpv4MappedAddressesIntoIpv4() throws Exception {
        InetSocketAddress mappedPeer = new InetSocketAddress(InetAddress.getByAddress(mapped(10, 1, 2, 3)), 99);
        assertEquals(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 99), SockAddr.unmapped(mappedPeer));
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByAddress(ipv6("::1")), 99);
        assertEquals(v6, SockAddr.unmapped(v6));
        InetSocketAddress compatible = new InetSocketAddress(Inet6Address.getByAddress(null, ipv6("::10.1.2.3"), -1), 99);
        assertInstanceOf(Inet6Address.class, SockAddr.unmapped(compatible).getAddress(), "::a.b.c.d is not IPv4-mapped");
    }

    @Test
    void encodeForChecksTheAddressAgainstTheSocketsFamily() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 80);
        java.net.UnixDomainSocketAddress path = java.net.UnixDomainSocketAddress.of("/tmp/s");
        assertEquals(16, SockAddr.encodeFor(LinuxConstants.AF_INET, v4, storage));
        assertEquals(28, SockAddr.encodeFor(LinuxConstants.AF_INET6, v4, storage), "IPv4 as IPv4-mapped");
        assertEquals(LinuxConstants.AF_INET6, SockAddr.family(storage));
        assertEquals("Protocol family unavailable: an IPv4 socket cannot use " + v6.getAddress(),
                assertThrows(java.net.SocketException.class, () -> SockAddr.encodeFor(LinuxConstants.AF_INET, v6, storage)).getMessage());
        assertThrows(java.net.SocketException.class, () -> SockAddr.encodeFor(LinuxConstants.AF_UNIX, v4, storage));
        assertThrows(java.net.SocketException.class, () -> SockAddr.encodeFor(LinuxConstants.AF_INET, path, storage));
        assertThrows(UnknownHostException.class,
                () -> SockAddr.encodeFor(LinuxConstants.AF_INET, InetSocketAddress.createUnresolved("example.invalid", 80), storage));
        SockAddr.encodeFor(LinuxConstants.AF_UNIX, path, storage);
        assertEquals(path, SockAddr.decodeBound(LinuxConstants.AF_UNIX, storage));
    }

    @Test
    void decodeBoundSaysNullForNoName() throws Exception {
        SockAddr.encode(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), storage);
        assertEquals(null, SockAddr.decodeBound(LinuxConstants.AF_INET, storage), "never bound: wildcard, port 0");
        SockAddr.encode(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 5), storage);
        assertEquals(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 5), SockAddr.decodeBound(LinuxConstants.AF_INET, storage));
        storage.fill((byte) 0);
        storage.set(JAVA_SHORT, 0, (short) LinuxConstants.AF_UNIX);
        assertEquals(null, SockAddr.decodeBound(LinuxConstants.AF_UNIX, storage), "an unnamed AF_UNIX socket");
    }
}
