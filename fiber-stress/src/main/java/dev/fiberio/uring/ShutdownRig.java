package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;

import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

/**
 * One stream socket of the io_uring backend on a real ring reaped by a poller thread
 * ({@link StressRings#takeDriven()}), for the jcstress tests of a write-behind send against
 * {@code shutdownOutput}: both may wait for a completion, so the ring must be reaped while they run. The
 * peer (the other end of a {@link SocketPair}) never sends.
 */
final class ShutdownRig {
    /** The write returned its byte; the shutdown returned. */
    static final int DONE = 1;
    /** The write threw "Broken pipe". */
    static final int BROKEN_PIPE = -4;
    /** Another exception (an IllegalStateException is a misuse the socket must not report). */
    static final int OTHER = -6;
    /** Bounds the wait for the end of the stream and for the reaping after close (defects only). */
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final StressRings.Driven driven;
    private final UringSocket socket;
    private final int peer;

    /** Takes a driven ring and opens the socket pair, if io_uring is available and a ring is free. */
    ShutdownRig() {
        driven = StressRings.UNAVAILABLE == null ? StressRings.takeDriven() : null;
        if (driven == null) {
            socket = null;
            peer = -1;
            return;
        }
        int[] pair = SocketPair.open();
        try {
            socket = UringSocket.accepted(pair[0], AF_UNIX, null, driven.ring()); // owns pair[0] from now on
        } catch (IOException e) {
            LibC.close(pair[1]);
            throw new UncheckedIOException(e);
        }
        peer = pair[1];
    }

    /** Whether this state has a socket (else its actors do nothing). */
    boolean runs() {
        return socket != null;
    }

    /**
     * Writes one byte, {@code 'w'}.
     *
     * @return {@link #DONE}, {@link #BROKEN_PIPE} or {@link #OTHER}
     */
    int write() {
        try {
            return socket.write(new byte[] {'w'}, 0, 1, Deadlines.NO_DEADLINE) == 1 ? DONE : OTHER;
        } catch (SocketException e) {
            return SocketErrors.brokenPipe().getMessage().equals(e.getMessage()) ? BROKEN_PIPE : OTHER;
        } catch (IOException | RuntimeException e) {
            return OTHER;
        }
    }

    /**
     * Shuts the output down.
     *
     * @return {@link #DONE} or {@link #OTHER}
     */
    int shutdownOutput() {
        try {
            socket.shutdownOutput();
            return DONE;
        } catch (IOException | RuntimeException e) {
            return OTHER;
        }
    }

    /**
     * After the actors: the bytes the peer reads before the end of stream, then closes the socket, waits
     * until nothing is in flight and gives the ring back.
     *
     * @return {bytes 'w' received before the end of stream (-1: no end of stream within the bound; -2:
     *         another byte), write buffers still leased after the close}
     */
    int[] after() {
        int received = SocketPair.receivedBeforeRelease(peer, (byte) 'w', BOUND_NANOS);
        socket.close();
        long end = System.nanoTime() + BOUND_NANOS;
        while (ReadAheadRig.inFlight(socket) && end - System.nanoTime() > 0) {
            Thread.yield();
        }
        LibC.close(peer);
        long leased = driven.ring().buffers().leased();
        StressRings.giveDriven(driven, !ReadAheadRig.inFlight(socket) && received >= 0 && leased == 0);
        return new int[] {received, (int) leased};
    }

    /** r1 of a state that ran nothing: as {@link ReadAheadRig#notRun()}. */
    static int notRun() {
        return ReadAheadRig.notRun();
    }
}
