package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.net.spi.Deadlines;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Receives through a ring of provided buffers: the leftover of a buffer, the ENOBUFS fallback, ring close. */
@RequiresUring
class ProvidedBufferTest {

    @Test
    void theProbeFoundProvidedBuffersOnThisKernelOrSaysWhyNot() {
        UringFeatures f = UringFeatures.get();
        if (UringFeatures.atLeast(System.getProperty("os.version"), 5, 19) && BufferRing.ENABLED) {
            assertTrue(f.providedBuffers, f.toString());
            assertNull(f.providedBuffersAbsent);
        }
        assertTrue(f.toString().contains(f.providedBuffers ? "provided-buffer ring" : f.providedBuffersAbsent), f.toString());
    }

    @Test
    void releaseStringsCompare() {
        assertTrue(UringFeatures.atLeast("6.18.44-fc-v1272", 5, 19));
        assertTrue(UringFeatures.atLeast("5.19.0", 5, 19));
        assertTrue(!UringFeatures.atLeast("5.18.17", 5, 19));
        assertTrue(!UringFeatures.atLeast("4.20", 5, 19));
        assertTrue(!UringFeatures.atLeast("garbage", 5, 19));
    }

    @Test
    void oneByteReadsOfA64KiBMessageReturnEveryByteInOrderFromTheBuffersLeftover() throws Exception {
        assumeTrue(UringFeatures.get().providedBuffers, "no provided-buffer rings here");
        Ring ring = new Ring(UringFeatures.get(), null, -1, 4, 4096); // 16 KiB of buffers for a 64 KiB message
        byte[] message = pattern(64 * 1024, 7);
        try (PollerThread poller = new PollerThread("pbuf-test", ring);
             ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            UringSocket socket = UringSocket.open(AF_INET, ring);
            try {
                assertNotNull(socket.providedBuffers());
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                        Deadlines.NO_DEADLINE);
                try (Socket peer = listener.accept()) {
                    OutputStream out = peer.getOutputStream();
                    out.write(message);
                    out.flush();
                    MemorySegment one = Arena.ofAuto().allocate(1);
                    for (int i = 0; i < message.length; i++) {
                        assertEquals(1, socket.read(one, Deadlines.NO_DEADLINE));
                        assertEquals(message[i], one.get(ValueLayout.JAVA_BYTE, 0), "byte " + i);
                    }
                }
                // 64 KiB went through 4 buffers of 4 KiB: each was given back to the ring after it was read out.
                assertEquals(0, ring.bufferRing().fallbacks.sum(), "every receive found a buffer");
            } finally {
                socket.close();
            }
        } finally {
            ring.close();
        }
    }

    @Test
    void aReaderThatFindsTheRingEmptyFallsBackToItsOwnBufferAndLosesNothing() throws Exception {
        assumeTrue(UringFeatures.get().providedBuffers, "no provided-buffer rings here");
        Ring ring = new Ring(UringFeatures.get(), null, -1, 1, 1024); // one buffer for everybody
        try (PollerThread poller = new PollerThread("pbuf-test", ring);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            UringSocket holder = UringSocket.open(AF_INET, ring);
            UringSocket other = UringSocket.open(AF_INET, ring);
            holder.connect(at, Deadlines.NO_DEADLINE);
            other.connect(at, Deadlines.NO_DEADLINE);
            try (Socket holderPeer = listener.accept(); Socket otherPeer = listener.accept()) {
                byte[] first = pattern(1000, 1);
                holderPeer.getOutputStream().write(first);
                MemorySegment small = Arena.ofAuto().allocate(10);
                // The holder reads 10 bytes of a 1000-byte receive: it keeps the ring's only buffer for the rest.
                int got = holder.read(small, Deadlines.NO_DEADLINE);
                assertTrue(got >= 1 && got <= 10);
                assertTrue(holder.holdsProvidedBuffer(), "the 1000 bytes arrived in one receive into the only buffer");
                byte[] second = pattern(3000, 2);
                otherPeer.getOutputStream().write(second);
                long before = ring.bufferRing().fallbacks.sum();
                assertArrayEquals(second, readFully(other, second.length, 700));
                assertTrue(ring.bufferRing().fallbacks.sum() > before, "the other reader found the ring empty (ENOBUFS)");
                assertTheRestCompletes(holder, first, small, got, 10);
            } finally {
                holder.close();
                other.close();
            }
        } finally {
            ring.close();
        }
    }

    /**
     * A receive that finds the ring empty makes it grow (one chunk, here one buffer, per that many such
     * receives) up to its size: the kernel then receives into the added buffer, whose memory is a new
     * chunk, and the bytes arrive intact; beyond the size it stays as it is.
     */
    @Test
    void aRingThatRunsDryGrowsAndTheKernelReceivesIntoTheAddedBuffers() throws Exception {
        assumeTrue(UringFeatures.get().providedBuffers, "no provided-buffer rings here");
        Ring ring = new Ring(UringFeatures.get(), null, -1, 1, 4, 1024, BufferPool.MAX_IDLE); // 1 buffer, up to 4
        try (PollerThread poller = new PollerThread("pbuf-test", ring);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            BufferRing provided = ring.bufferRing();
            assertEquals(1, provided.buffers());
            UringSocket holder = UringSocket.open(AF_INET, ring);
            UringSocket other = UringSocket.open(AF_INET, ring);
            UringSocket third = UringSocket.open(AF_INET, ring);
            holder.connect(at, Deadlines.NO_DEADLINE);
            other.connect(at, Deadlines.NO_DEADLINE);
            third.connect(at, Deadlines.NO_DEADLINE);
            try (Socket holderPeer = listener.accept(); Socket otherPeer = listener.accept(); Socket thirdPeer = listener.accept()) {
                byte[] first = pattern(1000, 1);
                holderPeer.getOutputStream().write(first);
                MemorySegment small = Arena.ofAuto().allocate(10);
                int got = holder.read(small, Deadlines.NO_DEADLINE); // keeps the only buffer for the rest
                assertTrue(holder.holdsProvidedBuffer());

                byte[] second = pattern(700, 2);
                otherPeer.getOutputStream().write(second);
                assertArrayEquals(second, readFully(other, second.length, 700)); // ENOBUFS, then its own buffer
                assertEquals(1, provided.fallbacks.sum());
                assertEquals(2, provided.buffers(), "the ring grew by a chunk");

                byte[] third3 = pattern(900, 3);
                thirdPeer.getOutputStream().write(third3);
                MemorySegment part = Arena.ofAuto().allocate(100);
                int n = third.read(part, Deadlines.NO_DEADLINE);
                assertTrue(third.holdsProvidedBuffer(), "received into the added buffer");
                assertEquals(1, provided.fallbacks.sum(), "no second fallback");
                assertTheRestCompletes(third, third3, part, n, 300);

                for (int i = 0; i < 10; i++) {
                    provided.foundEmpty();
                }
                assertEquals(4, provided.buffers(), "grows to its size and no further");
                assertThrows(IllegalArgumentException.class, () -> provided.recycle(4));

                assertTheRestCompletes(holder, first, small, got, 10);
            } finally {
                holder.close();
                other.close();
                third.close();
            }
        } finally {
            ring.close();
        }
    }

    @Test
    void manyConcurrentReadersOnAOneBufferRingLoseNoData() throws Exception {
        assumeTrue(UringFeatures.get().providedBuffers, "no provided-buffer rings here");
        int readers = 16;
        int size = 64 * 1024;
        Ring ring = new Ring(UringFeatures.get(), null, -1, 1, 512);
        ExecutorService pool = Executors.newFixedThreadPool(2 * readers);
        try (PollerThread poller = new PollerThread("pbuf-test", ring);
             ServerSocket listener = new ServerSocket(0, readers, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            List<UringSocket> sockets = new ArrayList<>();
            List<Socket> peers = new ArrayList<>();
            List<Future<byte[]>> reads = new ArrayList<>();
            List<Future<?>> writes = new ArrayList<>();
            try {
                for (int i = 0; i < readers; i++) {
                    UringSocket s = UringSocket.open(AF_INET, ring);
                    sockets.add(s);
                    s.connect(at, Deadlines.NO_DEADLINE);
                    peers.add(listener.accept());
                }
                for (int i = 0; i < readers; i++) {
                    UringSocket s = sockets.get(i);
                    Socket peer = peers.get(i);
                    byte[] data = pattern(size, i);
                    int chunk = 100 + 37 * i; // readers with buffers smaller and larger than the ring's
                    reads.add(pool.submit(() -> readFully(s, size, chunk)));
                    writes.add(pool.submit(() -> {
                        peer.getOutputStream().write(data);
                        return null;
                    }));
                }
                for (int i = 0; i < readers; i++) {
                    writes.get(i).get(60, TimeUnit.SECONDS);
                    assertArrayEquals(pattern(size, i), reads.get(i).get(60, TimeUnit.SECONDS), "reader " + i);
                }
            } finally {
                for (UringSocket s : sockets) {
                    s.close();
                }
                for (Socket p : peers) {
                    p.close();
                }
            }
        } finally {
            pool.shutdownNow();
            ring.close();
        }
    }

    @Test
    void closingASocketThatHoldsABufferGivesItBackToTheRing() throws Exception {
        assumeTrue(UringFeatures.get().providedBuffers, "no provided-buffer rings here");
        Ring ring = new Ring(UringFeatures.get(), null, -1, 1, 1024);
        try (PollerThread poller = new PollerThread("pbuf-test", ring);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            for (int round = 0; round < 3; round++) {
                UringSocket s = UringSocket.open(AF_INET, ring);
                s.connect(at, Deadlines.NO_DEADLINE);
                try (Socket peer = listener.accept()) {
                    peer.getOutputStream().write(pattern(500, round));
                    assertEquals(1, s.read(Arena.ofAuto().allocate(1), Deadlines.NO_DEADLINE));
                    s.close(); // holds the only buffer with 499 bytes unread
                }
            }
            UringSocket s = UringSocket.open(AF_INET, ring);
            s.connect(at, Deadlines.NO_DEADLINE);
            try (Socket peer = listener.accept()) {
                long before = ring.bufferRing().fallbacks.sum();
                peer.getOutputStream().write(pattern(200, 9));
                assertArrayEquals(pattern(200, 9), readFully(s, 200, 200));
                assertEquals(before, ring.bufferRing().fallbacks.sum(), "the closed sockets' buffer was back in the ring");
            } finally {
                s.close();
            }
        } finally {
            ring.close();
        }
    }

    static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed * 17 + (i >> 8));
        }
        return b;
    }

    /**
     * Reads the rest of {@code expected} from {@code s} in reads of {@code chunk} bytes and asserts that
     * the first {@code got} bytes, already read into {@code head}, and the rest make it up.
     */
    static void assertTheRestCompletes(UringSocket s, byte[] expected, MemorySegment head, int got, int chunk)
            throws Exception {
        byte[] rest = readFully(s, expected.length - got, chunk);
        byte[] whole = new byte[expected.length];
        MemorySegment.copy(head, ValueLayout.JAVA_BYTE, 0, whole, 0, got);
        System.arraycopy(rest, 0, whole, got, rest.length);
        assertArrayEquals(expected, whole);
    }

    static byte[] readFully(UringSocket s, int size, int chunk) throws Exception {
        byte[] out = new byte[size];
        MemorySegment buffer = Arena.ofAuto().allocate(chunk);
        int at = 0;
        while (at < size) {
            int n = s.read(buffer.asSlice(0, Math.min(chunk, size - at)), Deadlines.NO_DEADLINE);
            assertTrue(n > 0, "end of stream after " + at + " of " + size + " bytes");
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, out, at, n);
            at += n;
        }
        return out;
    }
}
