package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;

import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

/**
 * One stream socket of the io_uring backend on a real ring, for the jcstress tests of {@code tryRead}'s
 * read-ahead, and of a write-behind send, against close: a {@link UringSocket} on one end of a {@link SocketPair}, whose other end (the
 * peer) sent the bytes the test reads, on a ring of {@link StressRings} with a single provided buffer.
 * Nobody polls the ring but the actors and the arbiter, as the ring's worker would, so every completion is
 * reaped where the test says.
 *
 * <p>After the actors, {@link #afterClose()} reaps until the socket has nothing in flight and looks at what
 * a close must leave: no receive in flight, the socket's file released (the peer reads the end of the
 * stream, or a reset if bytes were left unread: neither the descriptor nor a request holds it), and the
 * ring's buffer free for the next receive (a probe socket on the same ring receives into it).
 *
 * <p>{@code closeDone} (volatile) is written after {@code close()} returned and read before each call of
 * the reader, so a call that began after the close is known.
 */
final class ReadAheadRig {
    /** A read returned its byte; awaitReadable returned. */
    static final int GOT = 1;
    /** A read returned 0: nothing reported yet. */
    static final int NOTHING = 0;
    /** The call threw "Socket closed". */
    static final int SOCKET_CLOSED = -3;
    /** The call began after close() had returned, and did not say "Socket closed". */
    static final int AFTER_CLOSE = -5;
    /** Another exception, or a byte that was not the one sent. */
    static final int OTHER = -6;
    /** r1 of a state that got no ring ({@link StressRings#MAX_RINGS} were out). */
    static final int NOT_RUN = -8;
    /** r1 of every state where io_uring or its provided-buffer rings are unavailable. */
    static final int NO_URING = -9;
    /**
     * Bounds the reaping of a request that never completes, and the wait for a socket's file that is never
     * released (defects); never reached when the code works.
     */
    private static final long REAP_BOUND_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long REAP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    final Ring ring;
    final UringSocket socket;
    private final int peer;
    private final byte[] one = new byte[1];
    private volatile boolean closeDone;

    /**
     * Takes a ring and opens the socket pair, if io_uring is available and a ring is free.
     *
     * @param peerSends what the peer sends before the race
     */
    ReadAheadRig(byte... peerSends) {
        ring = StressRings.UNAVAILABLE == null ? StressRings.take() : null;
        if (ring == null) {
            socket = null;
            peer = -1;
            return;
        }
        int[] pair = SocketPair.open();
        socket = wrap(pair);
        peer = pair[1];
        SocketPair.send(peer, peerSends);
    }

    /** Whether this state has a socket (else its actors do nothing). */
    boolean runs() {
        return socket != null;
    }

    /** r1 of a state that ran nothing. */
    static int notRun() {
        return StressRings.UNAVAILABLE != null ? NO_URING : NOT_RUN;
    }

    private UringSocket wrap(int[] pair) {
        try {
            return UringSocket.accepted(pair[0], AF_UNIX, null, ring); // owns pair[0] from now on
        } catch (IOException e) {
            LibC.close(pair[1]);
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The reader: {@code tryRead} of one byte.
     *
     * @param expected the byte the peer sent at this point of the stream
     * @return {@link #GOT}, {@link #NOTHING}, {@link #SOCKET_CLOSED}, {@link #AFTER_CLOSE} or {@link #OTHER}
     */
    int tryRead(byte expected) {
        boolean closedBefore = closeDone;
        try {
            int n = socket.tryRead(one, 0, 1);
            if (closedBefore) {
                return AFTER_CLOSE;
            }
            return n == 0 ? NOTHING : n == 1 && one[0] == expected ? GOT : OTHER;
        } catch (IOException e) {
            return closedException(e) ? SOCKET_CLOSED : OTHER;
        }
    }

    /**
     * The reader: {@code awaitReadable} without a deadline.
     *
     * @return {@link #GOT} if it returned, {@link #SOCKET_CLOSED}, {@link #AFTER_CLOSE} or {@link #OTHER}
     */
    int awaitReadable() {
        boolean closedBefore = closeDone;
        try {
            socket.awaitReadable(Deadlines.NO_DEADLINE);
            return closedBefore ? AFTER_CLOSE : GOT;
        } catch (IOException e) {
            return closedException(e) ? SOCKET_CLOSED : OTHER;
        }
    }

    private static boolean closedException(IOException e) {
        return e instanceof SocketException && SocketErrors.SOCKET_CLOSED.equals(e.getMessage());
    }

    /**
     * The writer: {@code write} of one byte, {@code 'w'}, as a write-behind send.
     *
     * @return {@link #GOT} if it returned 1, {@link #SOCKET_CLOSED}, {@link #AFTER_CLOSE} or {@link #OTHER}
     */
    int write() {
        boolean closedBefore = closeDone;
        try {
            int n = socket.write(new byte[] {'w'}, 0, 1, Deadlines.NO_DEADLINE);
            return closedBefore ? AFTER_CLOSE : n == 1 ? GOT : OTHER;
        } catch (IOException e) {
            return closedException(e) ? SOCKET_CLOSED : OTHER;
        }
    }

    /**
     * After a writer and a closer: closes (again), reaps until nothing is in flight, and looks at what the
     * peer received, then gives the ring back.
     *
     * @return {bytes 'w' the peer received before the end of stream (-1: the socket's file was not released
     *         within the bound; -2: another byte), write buffers still leased, operations left in flight (0 or 1)}
     */
    int[] afterWriteAndClose() {
        socket.close();
        boolean idle = reapUntilIdle(socket);
        int received = SocketPair.receivedBeforeRelease(peer, (byte) 'w', REAP_BOUND_NANOS);
        LibC.close(peer);
        long leased = ring.buffers().leased();
        StressRings.give(ring, idle && received >= 0 && leased == 0);
        return new int[] {received, (int) leased, idle ? 0 : 1};
    }

    /** The ring's worker between two runs: reaps what completed, without waiting. */
    void reapNow() {
        poll(0);
    }

    /** Closes the socket and records that close() returned. */
    void close() {
        socket.close();
        closeDone = true;
    }

    /**
     * After the actors: closes (again: idempotent), reaps until the socket has nothing in flight, looks,
     * closes the peer and gives the ring back (or closes it, if the state left something on it).
     *
     * @return {receives left in flight (0 or 1), the ring's buffer free for the next receive (1) or lost (0),
     *         the socket's file released (1) or still held (0)}
     */
    int[] afterClose() {
        socket.close();
        boolean idle = reapUntilIdle(socket);
        boolean released = SocketPair.otherEndReleased(peer, REAP_BOUND_NANOS);
        LibC.close(peer);
        boolean bufferFree = bufferFree();
        StressRings.give(ring, idle && released && bufferFree);
        return new int[] {idle ? 0 : 1, bufferFree ? 1 : 0, released ? 1 : 0};
    }

    /**
     * Whether the next buffer-select receive on the ring gets the ring's one buffer: a probe socket's
     * tryRead takes the first of three bytes straight from its socket and arms its read-ahead, which
     * completes at once with the other two, in the buffer if there is one (else ENOBUFS, and the
     * next read receives into the probe's own memory); the next tryRead takes one byte of them.
     */
    private boolean bufferFree() {
        int[] pair = SocketPair.open();
        UringSocket probe = wrap(pair);
        try {
            SocketPair.send(pair[1], (byte) 'x', (byte) 'y', (byte) 'z');
            byte[] b = new byte[1];
            probe.tryRead(b, 0, 1);
            reapUntilIdle(probe);
            probe.tryRead(b, 0, 1);
            return probe.holdsProvidedBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            probe.close(); // gives the buffer it holds back to the ring
            reapUntilIdle(probe);
            LibC.close(pair[1]);
        }
    }

    /** Reaps until no record of {@code s} has an operation in flight; false if one still had after the bound. */
    private boolean reapUntilIdle(UringSocket s) {
        long end = System.nanoTime() + REAP_BOUND_NANOS;
        while (inFlight(s)) {
            if (end - System.nanoTime() <= 0) {
                return false;
            }
            poll(REAP_POLL_NANOS);
        }
        return true;
    }

    /** Whether a record of {@code s} has an operation in flight. */
    static boolean inFlight(UringSocket s) {
        for (OperationRecord r : s.records()) {
            if (r.pending()) {
                return true;
            }
        }
        return false;
    }

    private void poll(long timeoutNanos) {
        try {
            ring.poll(timeoutNanos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
