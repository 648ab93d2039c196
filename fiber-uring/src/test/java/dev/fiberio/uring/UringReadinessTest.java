package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static dev.fiberio.uring.HangGuard.awaitCondition;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.NativeIOException;
import dev.fiberio.net.spi.Deadlines;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Waiting for readability without taking bytes ({@code awaitReadable}), reading what is there without
 * waiting ({@code tryRead}), and operations the kernel cancelled although the socket is open. The
 * echo example serves each connection with a tryRead/awaitReadable loop: if awaitReadable returns at
 * once on an idle connection, that loop never waits (on io_uring each turn was a receive and its
 * cancellation: thousands of ECANCELED completions a second and a busy worker).
 */
@RequiresUring
class UringReadinessTest {
    /** Guards against a hang if the code is broken; never reached when it works, so it orders nothing. */
    private static final long HANG_GUARD_NANOS = TimeUnit.SECONDS.toNanos(30);

    private Ring ring;
    private PollerThread poller;
    private ServerSocket listener;
    private UringSocket socket;
    private Socket peer;

    @BeforeEach
    void connect() throws Exception {
        ring = new Ring(UringFeatures.get(), null, -1);
        poller = new PollerThread("readiness-test", ring);
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        socket = UringSocket.open(AF_INET, ring);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), Deadlines.NO_DEADLINE);
        peer = listener.accept();
    }

    @AfterEach
    void close() throws Exception {
        socket.close();
        peer.close();
        listener.close();
        poller.close();
        ring.close();
    }

    @Test
    void awaitReadableOnAnIdleConnectionWaitsUntilItsDeadline() throws Exception {
        byte[] b = new byte[16];
        assertEquals(0, socket.tryRead(b, 0, b.length));
        assertThrows(SocketTimeoutException.class,
                () -> socket.awaitReadable(Deadlines.after(Duration.ofMillis(50))), "nothing was sent: it must wait");
        assertTrue(socket.isOpen());
    }

    @Test
    void awaitReadableReturnsOnceBytesArriveAndTheNextTryReadTakesThem() throws Exception {
        OperationRecord readRecord = socket.records()[0];
        CompletableFuture<Void> await = CompletableFuture.runAsync(() -> {
            try {
                socket.awaitReadable(Deadlines.NO_DEADLINE);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        awaitCondition(() -> readRecord.pending() || await.isDone());
        assertTrue(readRecord.pending(), "awaitReadable waits with a receive in the kernel");
        peer.getOutputStream().write(new byte[] {1, 2, 3});
        await.get(30, TimeUnit.SECONDS);
        byte[] b = new byte[16];
        assertEquals(3, socket.tryRead(b, 0, b.length));
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(b, 3));
        assertEquals(0, socket.tryRead(b, 0, b.length));
    }

    @Test
    void bytesAlreadyThereAreTakenByTryReadWithoutAwaitingThem() throws Exception {
        peer.getOutputStream().write(new byte[] {7, 8});
        byte[] b = new byte[16];
        long end = System.nanoTime() + HANG_GUARD_NANOS;
        int n;
        while ((n = socket.tryRead(b, 0, b.length)) == 0) { // loopback: the bytes are there by the time write returns, almost always
            assertTrue(end - System.nanoTime() > 0, "hang guard");
            socket.awaitReadable(Deadlines.NO_DEADLINE);
        }
        assertEquals(2, n);
        assertEquals(7, b[0]);
        assertEquals(8, b[1]);
    }

    @Test
    void anEndOfStreamSeenByAwaitReadableIsTheNextTryReadsMinusOne() throws Exception {
        peer.shutdownOutput();
        socket.awaitReadable(Deadlines.NO_DEADLINE);
        byte[] b = new byte[16];
        assertEquals(-1, socket.tryRead(b, 0, b.length));
    }

    @Test
    void aResetSeenByAwaitReadableIsReportedByTheNextRead() throws Exception {
        peer.setSoLinger(true, 0);
        peer.close();
        socket.awaitReadable(Deadlines.NO_DEADLINE);
        byte[] b = new byte[16];
        SocketException e = assertThrows(SocketException.class, () -> socket.tryRead(b, 0, b.length));
        assertEquals("Connection reset", e.getMessage());
    }

    @Test
    void aReceiveTheKernelCancelledOnceIsMadeAgain() throws Exception {
        OperationRecord readRecord = socket.records()[0];
        CompletableFuture<Integer> read = readAsync();
        awaitCondition(readRecord::pending);
        ring.cancel(readRecord); // as the kernel does to the requests of a thread that exits; done when this returns
        peer.getOutputStream().write(9);
        assertEquals(1, read.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aReceiveCancelledAgainAndAgainOnAnOpenSocketFailsInsteadOfBeingResubmittedForever() throws Exception {
        OperationRecord readRecord = socket.records()[0];
        CompletableFuture<Integer> read = readAsync();
        cancelUntilDone(readRecord, read);
        ExecutionException e = assertThrows(ExecutionException.class, read::get);
        NativeIOException cause = assertInstanceOf(NativeIOException.class, e.getCause().getCause());
        assertEquals(ECANCELED, cause.errno());
        assertTrue(socket.isOpen(), "nobody closed it");
    }

    @Test
    void anAcceptCancelledAgainAndAgainOnAnOpenListenerFailsInsteadOfBeingResubmittedForever() throws Exception {
        UringServerSocket server = UringServerSocket.open(AF_INET, ring, () -> ring);
        try {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            OperationRecord acceptRecord = server.records()[0];
            CompletableFuture<Object> accept = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept(Deadlines.NO_DEADLINE);
                } catch (IOException x) {
                    throw new RuntimeException(x);
                }
            });
            cancelUntilDone(acceptRecord, accept);
            ExecutionException e = assertThrows(ExecutionException.class, accept::get);
            NativeIOException cause = assertInstanceOf(NativeIOException.class, e.getCause().getCause());
            assertEquals(ECANCELED, cause.errno());
            assertTrue(server.isOpen(), "nobody closed it");
        } finally {
            server.close();
        }
    }

    private CompletableFuture<Integer> readAsync() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return socket.read(Arena.ofAuto().allocate(64), Deadlines.NO_DEADLINE);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Cancels each operation {@code record} has in the kernel, as something outside the socket would, until {@code done}. */
    private void cancelUntilDone(OperationRecord record, CompletableFuture<?> done) {
        long end = System.nanoTime() + HANG_GUARD_NANOS;
        while (!done.isDone()) {
            assertTrue(end - System.nanoTime() > 0, "hang guard: the operation is resubmitted after every cancellation");
            if (record.pending()) {
                ring.cancel(record);
            }
            Thread.onSpinWait();
        }
    }
}
