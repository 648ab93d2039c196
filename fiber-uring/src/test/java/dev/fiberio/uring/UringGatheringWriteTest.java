package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.net.spi.Deadlines;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Gathering writes on io_uring: IORING_OP_WRITEV over many direct buffers, the copy path for mixed ones. */
@RequiresUring
class UringGatheringWriteTest {

    @Test
    void aWritevOfManyDirectBuffersDeliversThemInOrder() throws Exception {
        ByteBuffer[] buffers = new ByteBuffer[200];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = ByteBuffer.allocateDirect(997).put(ProvidedBufferTest.pattern(997, i)).flip();
        }
        long before = UringSocket.VECTORED_WRITES.sum();
        assertArrayEquals(expected(buffers), sendAll(buffers));
        assertTrue(UringSocket.VECTORED_WRITES.sum() > before, "sent with IORING_OP_WRITEV");
    }

    @Test
    void aGatheringWriteOfHeapAndDirectBuffersDeliversThemInOrder() throws Exception {
        ByteBuffer[] buffers = new ByteBuffer[150];
        for (int i = 0; i < buffers.length; i++) {
            byte[] b = ProvidedBufferTest.pattern(500 + i, i);
            buffers[i] = i % 3 == 0 ? ByteBuffer.wrap(b) : ByteBuffer.allocateDirect(b.length).put(b).flip();
        }
        assertArrayEquals(expected(buffers), sendAll(buffers));
    }

    /**
     * A direct buffer whose second half lies on a page the process may not read: the copy path sends what
     * could be read (the heap buffer and the readable half) and reports that many bytes written, never the
     * unread half's place in its buffer.
     */
    @Test
    void aGatheringWriteOfADirectBufferReadableOnlyInPartSendsOnlyWhatWasRead() throws Throwable {
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        java.lang.foreign.SymbolLookup libc = linker.defaultLookup();
        var mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), java.lang.foreign.FunctionDescriptor.of(
                java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG,
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                java.lang.foreign.ValueLayout.JAVA_LONG));
        var mprotect = linker.downcallHandle(libc.find("mprotect").orElseThrow(), java.lang.foreign.FunctionDescriptor.of(
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG,
                java.lang.foreign.ValueLayout.JAVA_INT));
        var munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), java.lang.foreign.FunctionDescriptor.of(
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG));
        int page = 4096;
        // Two private anonymous pages, read-write (PROT_READ|PROT_WRITE = 3, MAP_PRIVATE|MAP_ANONYMOUS = 0x22);
        // the second then made unreadable (PROT_NONE), so that no other mapping can take its place.
        java.lang.foreign.MemorySegment pages = ((java.lang.foreign.MemorySegment) mmap.invokeExact(
                java.lang.foreign.MemorySegment.NULL, 2L * page, 3, 0x22, -1, 0L)).reinterpret(2L * page);
        assertTrue(pages.address() != -1L, "mmap");
        try {
            assertEquals(0, (int) mprotect.invokeExact(pages.asSlice(page), (long) page, 0));
            byte[] readable = ProvidedBufferTest.pattern(100, 7);
            java.lang.foreign.MemorySegment.copy(readable, 0, pages, java.lang.foreign.ValueLayout.JAVA_BYTE, page - 100, 100);
            ByteBuffer straddling = pages.asSlice(page - 100, 200).asByteBuffer();
            byte[] head = ProvidedBufferTest.pattern(50, 3);
            ByteBuffer[] buffers = {ByteBuffer.wrap(head), straddling};
            Ring ring = new Ring(UringFeatures.get(), null, -1);
            try (PollerThread poller = new PollerThread("partly-readable-test", ring);
                 ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                UringSocket socket = UringSocket.open(AF_INET, ring);
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                        Deadlines.NO_DEADLINE);
                try (Socket peer = listener.accept()) {
                    long written = socket.write(buffers, 0, 2, Deadlines.NO_DEADLINE);
                    socket.close();
                    byte[] got = peer.getInputStream().readAllBytes();
                    assertEquals(150, written, "the head and the readable half");
                    ByteArrayOutputStream want = new ByteArrayOutputStream();
                    want.writeBytes(head);
                    want.writeBytes(readable);
                    assertArrayEquals(want.toByteArray(), got);
                } finally {
                    socket.close();
                }
            } finally {
                ring.close();
            }
        } finally {
            int unmapped = (int) munmap.invokeExact(pages, 2L * page);
            assertEquals(0, unmapped, "munmap");
        }
    }

    private static byte[] expected(ByteBuffer[] buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    /** Writes every buffer with gathering writes (advancing positions as FiberSocket does) and returns what the peer read. */
    private static byte[] sendAll(ByteBuffer[] buffers) throws Exception {
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        int size = (int) total;
        Ring ring = new Ring(UringFeatures.get(), null, -1);
        try (PollerThread poller = new PollerThread("writev-test", ring);
             ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            UringSocket socket = UringSocket.open(AF_INET, ring);
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                        Deadlines.NO_DEADLINE);
                try (Socket peer = listener.accept()) {
                    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                        try {
                            InputStream in = peer.getInputStream();
                            return in.readNBytes(size);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    int first = 0;
                    long sent = 0;
                    while (first < buffers.length) {
                        long n = socket.write(buffers, first, buffers.length - first, Deadlines.NO_DEADLINE);
                        assertTrue(n > 0);
                        sent += n;
                        for (int i = first; i < buffers.length && n > 0; i++) {
                            int step = (int) Math.min(n, buffers[i].remaining());
                            buffers[i].position(buffers[i].position() + step);
                            n -= step;
                        }
                        while (first < buffers.length && !buffers[first].hasRemaining()) {
                            first++;
                        }
                    }
                    assertEquals(total, sent);
                    for (ByteBuffer b : buffers) {
                        b.rewind();
                    }
                    return read.get(30, TimeUnit.SECONDS);
                }
            } finally {
                socket.close();
            }
        } finally {
            ring.close();
        }
    }
}
