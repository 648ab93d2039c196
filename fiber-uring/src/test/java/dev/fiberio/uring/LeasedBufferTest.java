package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static dev.fiberio.uring.HangGuard.awaitCondition;
import static dev.fiberio.uring.HangGuard.pollUntil;
import static dev.fiberio.uring.ProvidedBufferTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.Deadlines;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The buffers sockets lease from their ring's {@link BufferPool} for one operation: given back once the
 * operation completed (and, for a read, its bytes were read), never leased to another socket while the
 * kernel may still use them, and freed with the ring.
 */
@RequiresUring
class LeasedBufferTest {
    @Test
    void connectsAndCompletedWritesLeaveNoBufferLeasedAndReuseOne() throws Exception {
        Ring ring = new Ring(UringFeatures.get(), null, -1);
        BufferPool pool = ring.buffers();
        int sockets = 20;
        try (PollerThread poller = new PollerThread("lease-test", ring);
             ServerSocket listener = new ServerSocket(0, sockets, InetAddress.getLoopbackAddress())) {
            List<UringSocket> open = new ArrayList<>();
            List<Socket> peers = new ArrayList<>();
            try {
                for (int i = 0; i < sockets; i++) {
                    UringSocket s = UringSocket.open(AF_INET, ring);
                    open.add(s);
                    s.connect(at(listener), Deadlines.NO_DEADLINE);
                    peers.add(listener.accept());
                    assertEquals(0, pool.leased(), "the connect's address buffer came back");
                }
                for (int i = 0; i < sockets; i++) {
                    byte[] data = pattern(3000, i);
                    writeFully(open.get(i), data); // returns before the completion: the send goes on behind
                    assertArrayEquals(data, peers.get(i).getInputStream().readNBytes(data.length));
                    UringSocket written = open.get(i);
                    awaitCondition(() -> pool.leased() == 0 && written.sendLeaseAddress() == 0); // reaped: given back
                    assertEquals(0, written.writeLeaseAddress());
                    // The echo: a read through the provided buffers or a leased one, then nothing is held.
                    peers.get(i).getOutputStream().write(data);
                    assertArrayEquals(data, ProvidedBufferTest.readFully(open.get(i), data.length, 1000));
                    assertEquals(0, pool.leased(), "the read left no buffer leased");
                    assertFalse(open.get(i).holdsReadLease());
                }
                // One connection at a time: one buffer served every connect and every write.
                assertEquals(1, pool.allocations());
            } finally {
                open.forEach(UringSocket::close);
                for (Socket p : peers) {
                    p.close();
                }
            }
        } finally {
            ring.close();
        }
    }

    @Test
    void readsThatFindTheBufferRingEmptyLeaseABufferAndGiveItBackWithEveryByteInOrder() throws Exception {
        onAnEmptyBufferRing((ring, s, peer) -> {
            BufferPool pool = ring.buffers();
            byte[] sent = pattern(5000, 2);
            peer.getOutputStream().write(sent);
            long fallbacks = ring.bufferRing().fallbacks.sum();
            long leases = pool.leases();
            byte[] got = readInChunks(s, sent.length, at -> {
                assertEquals(0, pool.leased(), "the lease came back with the read that consumed its bytes");
                assertFalse(s.holdsReadLease());
            });
            assertArrayEquals(sent, got, "every byte, in order");
            assertTrue(ring.bufferRing().fallbacks.sum() > fallbacks, "the receives found the ring empty (ENOBUFS)");
            assertTrue(pool.leases() > leases, "and received into a leased buffer");
        });
    }

    @Test
    void aWaitForReadabilityThatFindsTheBufferRingEmptyPollsHoldingNoBuffer() throws Exception {
        onAnEmptyBufferRing((ring, idle, peer) -> {
            long fallbacks = ring.bufferRing().fallbacks.sum();
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> unchecked(() -> {
                idle.awaitReadable(Deadlines.NO_DEADLINE);
                return null;
            }));
            OperationRecord readRecord = idle.records()[0];
            // Its receive found the ring empty; what it waits on now is a poll, with no buffer.
            awaitCondition(() -> ring.bufferRing().fallbacks.sum() > fallbacks && readRecord.pending());
            assertFalse(waiting.isDone());
            assertEquals(0, ring.buffers().leased(), "an idle connection holds no buffer");

            byte[] sent = pattern(3000, 3);
            peer.getOutputStream().write(sent);
            waiting.get(30, TimeUnit.SECONDS);
            byte[] got = new byte[sent.length];
            int at = 0;
            while (at < sent.length) {
                int n = idle.tryRead(got, at, sent.length - at);
                assertTrue(n >= 0);
                if (n == 0) {
                    idle.awaitReadable(Deadlines.NO_DEADLINE);
                }
                at += n;
            }
            assertArrayEquals(sent, got);
            assertEquals(0, ring.buffers().leased());
        });
    }

    @Test
    void withoutABufferRingReceivedBytesKeepTheirLeaseUntilTheyAreReadThenItComesBack() throws Exception {
        Ring ring = new Ring(UringFeatures.get(), null, -1, 0, 0); // every receive into a leased buffer
        BufferPool pool = ring.buffers();
        try (PollerThread poller = new PollerThread("lease-test", ring);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            UringSocket s = connectedTo(ring, listener);
            try (Socket peer = listener.accept()) {
                byte[] sent = pattern(5000, 4);
                peer.getOutputStream().write(sent);
                s.awaitReadable(Deadlines.NO_DEADLINE); // receives up to 16 KiB into a lease
                assertTrue(s.bufferedBytes() > 0);
                byte[] got = readInChunks(s, sent.length, at -> {
                    // Between reads: a lease exactly while received bytes wait in it, across read calls.
                    boolean waiting = s.bufferedBytes() > 0;
                    assertEquals(waiting, s.holdsReadLease(), "after " + at + " bytes");
                    assertEquals(waiting ? 1 : 0, pool.leased(), "after " + at + " bytes");
                });
                assertArrayEquals(sent, got, "every byte, in order");
                assertEquals(0, pool.leased());
            } finally {
                s.close();
            }
        } finally {
            ring.close();
        }
    }

    /** A check between reads, given the bytes read so far. */
    private interface BetweenReads {
        void check(int read) throws Exception;
    }

    /** Reads {@code size} bytes from {@code s} in reads of at most 700 bytes, checking between them. */
    private static byte[] readInChunks(UringSocket s, int size, BetweenReads between) throws Exception {
        byte[] got = new byte[size];
        MemorySegment chunk = Arena.ofAuto().allocate(700);
        int at = 0;
        while (at < size) {
            int n = s.read(chunk.asSlice(0, Math.min(700, size - at)), Deadlines.NO_DEADLINE);
            assertTrue(n > 0, "end of stream after " + at + " bytes");
            MemorySegment.copy(chunk, ValueLayout.JAVA_BYTE, 0, got, at, n);
            at += n;
            between.check(at);
        }
        return got;
    }

    /** What runs on a connection whose ring's provided buffers are all taken. */
    private interface EmptyRingScenario {
        void run(Ring ring, UringSocket s, Socket peer) throws Exception;
    }

    /**
     * Runs {@code scenario} on a connection of a ring with one provided buffer, which another connection
     * holds: it read 10 bytes of a 1000-byte receive into that buffer, and keeps it for the rest.
     */
    private static void onAnEmptyBufferRing(EmptyRingScenario scenario) throws Exception {
        assumeTrue(UringFeatures.get().providedBuffers, "no provided-buffer rings here");
        Ring ring = new Ring(UringFeatures.get(), null, -1, 1, 1024);
        try (PollerThread poller = new PollerThread("lease-test", ring);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            UringSocket holder = UringSocket.open(AF_INET, ring);
            UringSocket s = UringSocket.open(AF_INET, ring);
            holder.connect(at(listener), Deadlines.NO_DEADLINE);
            s.connect(at(listener), Deadlines.NO_DEADLINE);
            try (Socket holderPeer = listener.accept(); Socket peer = listener.accept()) {
                holderPeer.getOutputStream().write(pattern(1000, 1));
                assertTrue(holder.read(Arena.ofAuto().allocate(10), Deadlines.NO_DEADLINE) > 0);
                assertTrue(holder.holdsProvidedBuffer(), "the holder keeps the ring's only buffer");
                scenario.run(ring, s, peer);
            } finally {
                holder.close();
                s.close();
            }
        } finally {
            ring.close();
        }
    }

    @Test
    void aWriteBehindSendKeepsItsBufferUntilItsCompletionIsReapedAndItsBytesOutliveClose() throws Exception {
        // Driven by this test: nothing is reaped unless it polls. A pool that keeps 8 free buffers.
        Ring ring = new Ring(UringFeatures.get(), null, -1, 0, 0, 8);
        BufferPool pool = ring.buffers();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            UringSocket s = UringSocket.open(AF_INET, ring);
            CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> unchecked(() -> {
                s.connect(at(listener), Deadlines.NO_DEADLINE);
                return null;
            }));
            pollUntil(ring, connect::isDone);
            connect.get();
            try (Socket peer = listener.accept()) {
                OperationRecord writeRecord = s.records()[1];
                byte[] data = pattern(1000, 7);
                // Nobody reaps, yet the write returns: its send goes on behind it, with its own buffer.
                assertEquals(1000, s.write(MemorySegment.ofArray(data), Deadlines.NO_DEADLINE));
                assertTrue(writeRecord.pending());
                long inFlight = s.sendLeaseAddress();
                assertNotEquals(0, inFlight);
                assertEquals(1, pool.leased());
                s.close(); // does not cancel it: the bytes were reported written

                // Until the completion is reaped the buffer stays leased: every buffer the pool hands out
                // meanwhile is another one.
                assertTrue(writeRecord.pending());
                List<MemorySegment> others = new ArrayList<>();
                for (int i = 0; i < pool.maxIdle() - 1; i++) { // all it holds, and new ones
                    MemorySegment m = pool.lease();
                    assertNotEquals(inFlight, m.address(), "the in-flight buffer leased to another");
                    others.add(m);
                }
                others.forEach(pool::giveBack);
                assertEquals(1, pool.leased());

                // The peer gets every byte, then the end of stream.
                assertArrayEquals(data, peer.getInputStream().readAllBytes());

                pollUntil(ring, () -> ring.inFlight.get() == 0); // the completion is reaped: now it comes back
                assertFalse(writeRecord.pending());
                assertEquals(0, pool.leased());
                assertEquals(0, s.sendLeaseAddress());
                List<MemorySegment> free = new ArrayList<>();
                for (int i = pool.idle(); i > 0; i--) {
                    free.add(pool.lease());
                }
                assertTrue(free.stream().anyMatch(m -> m.address() == inFlight), "back in the pool");
                free.forEach(pool::giveBack);
            }
        } finally {
            ring.close();
        }
    }

    /**
     * A closed socket's write-behind send to a peer that never reads is cancelled after the ring's close
     * linger: it does not keep the socket, its record and its buffer forever.
     */
    @Test
    void aClosedSocketsSendToAPeerThatNeverReadsEndsAfterTheCloseLinger() throws Exception {
        closeWithAStuckSend(TimeUnit.MILLISECONDS.toNanos(200), false);
    }

    /** SO_LINGER 0 asks for an abortive close: a write-behind send is cancelled at once, not after a linger. */
    @Test
    void anAbortiveCloseCancelsTheWriteBehindSend() throws Exception {
        closeWithAStuckSend(Ring.CLOSE_LINGER_NANOS, true); // the default linger: a minute
    }

    /**
     * A shutdown of output waits for the write-behind send (its bytes go before the FIN), but for a peer
     * that never reads only as long as the close linger: then the send is cancelled for good (not queued
     * again, as a cancellation nobody asked for would be), its buffer comes back, and the shutdown happens.
     */
    @Test
    void shutdownOutputGivesUpOnASendToAPeerThatNeverReadsAfterTheCloseLinger() throws Exception {
        withAStuckSend(TimeUnit.MILLISECONDS.toNanos(200), (ring, s, silent, written) -> {
            try {
                s.shutdownOutput();
                awaitCondition(() -> !s.records()[1].pending() && ring.buffers().leased() == 0);
                // The FIN was sent: the peer reads what reached its side, then the end of the stream.
                assertTrue(silent.getInputStream().readAllBytes().length > 0);
                assertTrue(s.isOpen());
            } finally {
                s.close();
            }
        });
    }

    /**
     * Two shutdowns of output at once, as two threads may call it: the second must neither cancel the send
     * the first waits for nor send the FIN before it. The peer then reads every byte the writes reported
     * written, then the end of the stream.
     */
    @Test
    void aSecondShutdownOutputWhileTheFirstWaitsForTheSendLosesNoByte() throws Exception {
        withAStuckSend(Ring.CLOSE_LINGER_NANOS, (ring, s, silent, written) -> {
            SendRecord record = (SendRecord) s.records()[1];
            java.util.concurrent.CompletableFuture<Void> first = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    s.shutdownOutput();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                awaitCondition(record::shutdownWaits);
                s.shutdownOutput();
                assertEquals(written, silent.getInputStream().readAllBytes().length,
                        "bytes before the end of the stream");
                first.get(30, TimeUnit.SECONDS);
            } finally {
                s.close();
            }
        });
    }

    /**
     * Closes a socket whose write-behind send cannot complete (its peer never reads), abortively or not, and
     * waits until the send ended and gave its buffer back.
     */
    private static void closeWithAStuckSend(long lingerNanos, boolean abortive) throws Exception {
        withAStuckSend(lingerNanos, (ring, s, silent, written) -> {
            OperationRecord writeRecord = s.records()[1];
            if (abortive) {
                s.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            s.close();
            awaitCondition(() -> !writeRecord.pending() && ring.buffers().leased() == 0);
            assertEquals(0, writeRecord.stateVolatile() & (OperationRecord.USER | OperationRecord.KERNEL),
                    "released: neither in flight nor held");
        });
    }

    /**
     * What a test does with a socket whose write-behind send is stuck, its peer that has not read, and the
     * bytes the socket's writes reported written.
     */
    @FunctionalInterface
    private interface StuckSendScenario {
        void run(Ring ring, UringSocket s, Socket silent, long written) throws Exception;
    }

    /** Runs {@code scenario} on a ring of the given close linger, driven by a poller thread. */
    private static void withAStuckSend(long lingerNanos, StuckSendScenario scenario) throws Exception {
        Ring ring = new Ring(UringFeatures.get(), null, -1);
        ring.closeLinger(lingerNanos);
        try (PollerThread poller = new PollerThread("linger-test", ring);
             ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            long[] written = new long[1];
            UringSocket s = stuckSend(ring, listener, written);
            try (Socket silent = listener.accept()) {
                scenario.run(ring, s, silent, written[0]);
            }
        } finally {
            ring.close();
        }
    }

    /**
     * A socket of {@code ring} connected to {@code listener} (whose peer must not read) with a write-behind
     * send that cannot complete: writes until one finds the previous send still in flight past its deadline.
     * {@code written[0]} gets the bytes the writes reported written.
     */
    private static UringSocket stuckSend(Ring ring, ServerSocket listener, long[] written) throws Exception {
        UringSocket s = UringSocket.open(AF_INET, ring);
        s.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        s.connect(at(listener), Deadlines.NO_DEADLINE);
        MemorySegment junk = MemorySegment.ofArray(pattern(16 * 1024, 3));
        for (int i = 0; ; i++) {
            assertTrue(i < 10_000, "a peer that never reads took " + i + " writes");
            try {
                written[0] += s.write(junk, Deadlines.after(Duration.ofMillis(20)));
            } catch (SocketTimeoutException stillInFlight) {
                break;
            }
        }
        assertTrue(s.records()[1].pending(), "the last send is stuck in the kernel");
        return s;
    }

    @Test
    void writesCancelledByTimeoutsAndClosesNeverCorruptAnotherSocketsData() throws Exception {
        Ring ring = new Ring(UringFeatures.get(), null, -1, 0, 0, 2); // a small pool: buffers go round fast
        BufferPool pool = ring.buffers();
        int size = 4 * 1024 * 1024;
        byte[] steady = pattern(size, 5);
        ExecutorService threads = Executors.newCachedThreadPool();
        try (PollerThread poller = new PollerThread("lease-test", ring);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            UringSocket writer = connectedTo(ring, listener);
            try (Socket writerPeer = listener.accept()) {
                listener.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // the victims' peers: small windows, never read
                InputStream in = writerPeer.getInputStream();
                Future<byte[]> received = threads.submit(() -> in.readNBytes(size));
                Future<?> sent = threads.submit(() -> {
                    writeFully(writer, steady);
                    return null;
                });
                for (int round = 0; round < 30; round++) {
                    victimRound(ring, listener, round, threads);
                }
                sent.get(60, TimeUnit.SECONDS);
                assertArrayEquals(steady, received.get(60, TimeUnit.SECONDS), "the steady writer's bytes, intact and in order");
            } finally {
                writer.close();
            }
            awaitCondition(() -> ring.inFlight.get() == 0 && pool.leased() == 0);
        } finally {
            threads.shutdownNow();
            ring.close();
        }
    }

    /**
     * A socket whose peer never reads: sends with a 1 ms deadline until one times out in the kernel (its
     * send cancelled), then a send left waiting in the kernel when the socket closes.
     */
    private static void victimRound(Ring ring, ServerSocket listener, int round, ExecutorService threads) throws Exception {
        UringSocket victim = UringSocket.open(AF_INET, ring);
        victim.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        victim.connect(at(listener), Deadlines.NO_DEADLINE);
        try (Socket silent = listener.accept()) {
            MemorySegment junk = MemorySegment.ofArray(pattern(16 * 1024, 100 + round));
            for (int i = 0; i < 1000; i++) {
                try {
                    victim.write(junk, Deadlines.after(Duration.ofMillis(1)));
                } catch (SocketTimeoutException timedOut) {
                    break; // the send was cancelled by its deadline; its buffer came back after the completion
                }
            }
            Future<?> blocked = threads.submit(() -> victim.write(junk, Deadlines.NO_DEADLINE));
            OperationRecord writeRecord = victim.records()[1];
            awaitCondition(() -> writeRecord.pending() || blocked.isDone());
            victim.close();
            try {
                blocked.get(30, TimeUnit.SECONDS); // the send may have found room after all
            } catch (ExecutionException e) {
                assertTrue(e.getCause() instanceof SocketException, e.toString());
            }
        } finally {
            victim.close();
        }
    }

    @Test
    void closingTheRingFreesItsPool() throws Exception {
        Ring ring = new Ring(UringFeatures.get(), null, -1);
        BufferPool pool = ring.buffers();
        try (PollerThread poller = new PollerThread("lease-test", ring);
             ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            List<UringSocket> open = new ArrayList<>();
            List<Socket> peers = new ArrayList<>();
            List<Future<?>> writes = new ArrayList<>();
            ExecutorService threads = Executors.newCachedThreadPool();
            try {
                for (int i = 0; i < 4; i++) {
                    UringSocket s = UringSocket.open(AF_INET, ring);
                    open.add(s);
                    s.connect(at(listener), Deadlines.NO_DEADLINE);
                    peers.add(listener.accept());
                    byte[] data = pattern(64 * 1024, i);
                    writes.add(threads.submit(() -> {
                        writeFully(s, data);
                        return null;
                    }));
                }
                for (int i = 0; i < 4; i++) {
                    peers.get(i).getInputStream().readNBytes(64 * 1024);
                    writes.get(i).get(30, TimeUnit.SECONDS);
                }
                assertTrue(pool.idle() > 0, "buffers are kept for the next operations");
            } finally {
                threads.shutdownNow();
                for (Socket p : peers) {
                    p.close();
                }
            }
        } finally {
            ring.close();
        }
        assertTrue(pool.isClosed());
        assertEquals(0, pool.idle());
        assertEquals(0, pool.leased());
        assertEquals(pool.allocations(), pool.frees(), "every buffer of the pool freed");
    }

    /** A socket of {@code ring} connected to {@code listener}. */
    static UringSocket connectedTo(Ring ring, ServerSocket listener) throws Exception {
        UringSocket s = UringSocket.open(AF_INET, ring);
        try {
            s.connect(at(listener), Deadlines.NO_DEADLINE);
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return s;
    }

    static InetSocketAddress at(ServerSocket listener) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    static void writeFully(UringSocket s, byte[] data) throws Exception {
        MemorySegment src = MemorySegment.ofArray(data);
        long at = 0;
        while (at < data.length) {
            at += s.write(src.asSlice(at), Deadlines.NO_DEADLINE);
        }
    }

    /** A socket call for a CompletableFuture: its checked exception wrapped. */
    private static <T> T unchecked(java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
