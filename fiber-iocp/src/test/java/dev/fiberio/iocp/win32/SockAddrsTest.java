package dev.fiberio.iocp.win32;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** sockaddr_in / sockaddr_in6 encoding in the Windows layout (AF_INET6 = 23, port in network order). */
class SockAddrsTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment storage = arena.allocate(SockAddrs.SOCKADDR_STORAGE);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void encodesIpv4Bytes() throws Exception {
        storage.fill((byte) 0x77);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080);
        int length = SockAddrs.encode(address, Win32Constants.AF_INET, storage);

        assertEquals(16, length);
        assertArrayEquals(new byte[] {2, 0, 0x1f, (byte) 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
                storage.asSlice(0, 16).toArray(JAVA_BYTE));
        assertEquals(address, SockAddrs.decode(storage));
    }

    @Test
    void encodesIpv6WithFamily23AndScope() throws Exception {
        byte[] ip = InetAddress.getByName("fe80::1").getAddress();
        InetSocketAddress address = new InetSocketAddress(Inet6Address.getByAddress(null, ip, 5), 65535);
        int length = SockAddrs.encode(address, Win32Constants.AF_INET6, storage);

        assertEquals(28, length);
        byte[] bytes = storage.asSlice(0, 28).toArray(JAVA_BYTE);
        assertArrayEquals(new byte[] {23, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0}, java.util.Arrays.copyOf(bytes, 8));
        assertEquals((byte) 0xfe, bytes[8]);
        assertEquals(5, bytes[24], "sin6_scope_id, little-endian");
        InetSocketAddress decoded = SockAddrs.decode(storage);
        assertEquals(address, decoded);
        assertEquals(5, ((Inet6Address) decoded.getAddress()).getScopeId());
    }

    @Test
    void ipv4ForAnIpv6SocketIsV4Mapped() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 443);
        SockAddrs.encode(address, Win32Constants.AF_INET6, storage);

        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3},
                storage.asSlice(8, 16).toArray(JAVA_BYTE));
        InetSocketAddress decoded = SockAddrs.decode(storage);
        assertInstanceOf(Inet4Address.class, decoded.getAddress());
        assertEquals(address, decoded);
    }

    @Test
    void rejectsWhatCannotBeEncoded() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 1);
        assertThrows(IllegalArgumentException.class, () -> SockAddrs.encode(v6, Win32Constants.AF_INET, storage));
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 80);
        assertThrows(IllegalArgumentException.class, () -> SockAddrs.encode(unresolved, Win32Constants.AF_INET, storage));
        assertThrows(IllegalArgumentException.class, () -> SockAddrs.length(10));
        storage.fill((byte) 0);
        assertThrows(IllegalArgumentException.class, () -> SockAddrs.decode(storage), "AF_UNSPEC");
    }

    @Test
    void familyFollowsTheAddress() throws Exception {
        assertEquals(Win32Constants.AF_INET, SockAddrs.family(new InetSocketAddress(InetAddress.getByName("1.2.3.4"), 1)));
        assertEquals(Win32Constants.AF_INET6, SockAddrs.family(new InetSocketAddress(InetAddress.getByName("::2"), 1)));
    }
}
