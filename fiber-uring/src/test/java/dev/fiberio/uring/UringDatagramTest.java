package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.FD_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.F_GETFD;
import static dev.fiberio.nativeio.ffi.LinuxConstants.F_GETFL;
import static dev.fiberio.nativeio.ffi.LinuxConstants.O_NONBLOCK;
import static dev.fiberio.uring.HangGuard.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.Deadlines;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The io_uring datagram handle below {@code FiberDatagramSocket}: what the shared suite cannot see —
 * descriptor flags, truncation as the kernel reports it in {@code msg_flags}, and the records' memory
 * after a close that cancelled a receive in the kernel.
 */
@RequiresUring
class UringDatagramTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private Ring ring;
    private PollerThread poller;

    @BeforeEach
    void open() throws Exception {
        ring = new Ring(UringFeatures.get(), null, -1);
        poller = new PollerThread("uring-datagram-test", ring);
    }

    @AfterEach
    void close() {
        poller.close();
    }

    @Test
    void theDescriptorIsCloseOnExecAndNonBlocking() throws Exception {
        long before = UringNetProvider.openDescriptors();
        try (UringDatagram d = UringDatagram.open(AF_INET, ring)) {
            assertEquals(FD_CLOEXEC, LibC.fcntl(d.fd.fd, F_GETFD) & FD_CLOEXEC);
            assertEquals(O_NONBLOCK, LibC.fcntl(d.fd.fd, F_GETFL) & O_NONBLOCK);
            assertEquals(before + 1, UringNetProvider.openDescriptors());
        }
        assertEquals(before, UringNetProvider.openDescriptors());
    }

    @Test
    void aDatagramLongerThanTheBufferIsCutAndReportedTruncatedByTheKernelsMsgTrunc() throws Exception {
        try (UringDatagram a = UringDatagram.open(AF_INET, ring); UringDatagram b = UringDatagram.open(AF_INET, ring)) {
            a.bind(ANY_LOOPBACK);
            b.bind(ANY_LOOPBACK);
            MemorySegment fifty = Arena.ofAuto().allocate(50);
            for (int i = 0; i < 50; i++) {
                fifty.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            assertEquals(50, a.send(fifty, b.localAddress(), Deadlines.NO_DEADLINE));
            assertEquals(10, a.send(fifty.asSlice(0, 10), b.localAddress(), Deadlines.NO_DEADLINE));

            // The iovec is as long as the destination, so the kernel itself cuts the datagram: only msg_flags tells.
            MemorySegment ten = Arena.ofAuto().allocate(10);
            DatagramHandle.Received cut = b.receive(ten, Deadlines.NO_DEADLINE);
            assertEquals(new DatagramHandle.Received(a.localAddress(), 10, true), cut);
            assertEquals(9, ten.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 9));
            DatagramHandle.Received whole = b.receive(ten, Deadlines.NO_DEADLINE);
            assertEquals(new DatagramHandle.Received(a.localAddress(), 10, false), whole, "a datagram that fits exactly is whole");
        }
    }

    @Test
    void closeWhileAReceiveIsInTheKernelSaysSocketClosedAndReleasesTheRecordsAfterTheKernel() throws Exception {
        long recordsBefore = UringNetProvider.liveRecords();
        long fdsBefore = UringNetProvider.openDescriptors();
        UringDatagram d = UringDatagram.open(AF_INET, ring);
        d.bind(ANY_LOOPBACK);
        CompletableFuture<DatagramHandle.Received> receive = CompletableFuture.supplyAsync(() -> {
            try {
                return d.receive(Arena.ofAuto().allocate(64), Deadlines.NO_DEADLINE);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        OperationRecord receiveRecord = d.records()[0];
        awaitCondition(receiveRecord::pending); // the RECVMSG is in the kernel
        d.close();
        Throwable failure = assertThrows(Exception.class, () -> receive.get(30, TimeUnit.SECONDS)).getCause();
        assertInstanceOf(SocketException.class, failure.getCause(), failure.toString());
        assertEquals("Socket closed", failure.getCause().getMessage());
        // The cancelled receive's completion is reaped by the poller thread; only then is the memory given back.
        awaitCondition(() -> UringNetProvider.liveRecords() == recordsBefore);
        assertFalse(receiveRecord.pending());
        assertEquals(0, ring.inFlight.get());
        assertEquals(fdsBefore, UringNetProvider.openDescriptors());
        assertTrue(!d.isOpen());
    }
}
