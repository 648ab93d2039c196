package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.WSA_OPERATION_ABORTED;

import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waiting half of an overlapped operation: the caller (a fiber, which suspends, or a plain
 * thread, which parks) waits on the record's slot until the dispatcher has delivered the
 * completion, and handles the deadline, cancellation and close on the way.
 *
 * <ul>
 *   <li><b>Completion</b>: the dispatcher's {@link OperationRecord#complete} sets DONE, then signals
 *       the slot. Wake-ups are advisory, so after each one the caller re-reads the record.</li>
 *   <li><b>Deadline</b>: CancelIoEx, then keep waiting for the completion, which is the aborted one,
 *       or the real result if the I/O won the race (the CancelIoEx page: "the operation completed
 *       normally ... even if the operation was canceled"). Only an aborted completion becomes the
 *       timeout exception; a result that won is returned, so no byte is lost. That wait is bounded by
 *       the owner's cancel grace ({@link IocpConfig}): if no completion came by then, the caller gets
 *       the timeout and the operation stays pending on the record; the next operation on it collects
 *       its completion ({@link IocpChannel#collectLeftover}).</li>
 *   <li><b>Cancellation</b> of the waiting fiber (interrupt of a thread): CancelIoEx, then wait
 *       uninterruptibly ({@link WaitSlot#awaitUninterruptibly()}) for the completion, which comes
 *       promptly, and throw. The record is the caller's again when the call returns, as after a
 *       timeout; a result that won the race stays in the record, unconsumed, and the next operation
 *       on it collects it ({@link IocpChannel#collectLeftover}), so no received byte is lost.</li>
 *   <li><b>Close</b>: throw "Socket closed" at once. closesocket aborts the operation; the dispatcher
 *       releases the record when the aborted completion is dequeued.</li>
 * </ul>
 * The caller holds the record ({@code USER}) throughout.
 */
final class CompletionWait {

    /** What the wait needs from the socket that started the operation. */
    interface Owner {
        /** Whether the socket is open (not closed). */
        boolean isOpen();

        /** Requests cancellation of the record's operation (CancelIoEx); best effort, never throws. */
        void cancel(OperationRecord record);

        /** How long to wait, after a deadline's CancelIoEx, for the completion before giving up on it. */
        long cancelGraceNanos();
    }

    private static final Logger LOG = LoggerFactory.getLogger(CompletionWait.class);
    private static final LogThrottle UNANSWERED = new LogThrottle(TimeUnit.SECONDS.toNanos(10));

    private CompletionWait() {
    }

    /**
     * Waits for the pending operation of {@code record} and consumes its result.
     *
     * @param record   a record with an operation pending (or already completed)
     * @param owner    its socket
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @param timeout  the exception for an operation aborted by its deadline
     * @return the operation's result (success, or its error, possibly the abort of an earlier cancellation)
     * @throws IOException "Socket closed" if the socket was closed while waiting, or the timeout
     * @throws FiberCancelledException if the caller was cancelled while waiting (after the operation's
     *         completion was dispatched, unless the socket was closed)
     */
    static OperationRecord.Completion await(OperationRecord record, Owner owner, long deadline,
                                            Supplier<SocketTimeoutException> timeout) throws IOException {
        boolean timedOut = false;
        long graceEnd = 0;
        while (record.pending()) {
            if (!owner.isOpen()) {
                throw SocketErrors.socketClosed();
            }
            if (!timedOut && Deadlines.hasPassed(deadline)) {
                owner.cancel(record);
                timedOut = true;
                graceEnd = System.nanoTime() + owner.cancelGraceNanos();
                continue;
            }
            if (timedOut && System.nanoTime() - graceEnd >= 0) {
                // CancelIoEx brought no completion (a layered provider may ignore it): the caller gets its
                // timeout now; the operation stays with the record, whose next operation collects it.
                long silenced = UNANSWERED.admit();
                if (silenced >= 0) {
                    LOG.warn("{}: no completion {} ms after CancelIoEx; the operation stays pending ({} more since the "
                            + "last warning)", owner, TimeUnit.NANOSECONDS.toMillis(owner.cancelGraceNanos()), silenced);
                }
                throw timeout.get();
            }
            try {
                Deadlines.awaitOnce(record.slot(), timedOut ? graceEnd : deadline);
            } catch (FiberCancelledException e) {
                if (!timedOut) {
                    owner.cancel(record);
                }
                awaitAfterCancel(record, owner);
                throw e;
            }
        }
        OperationRecord.Completion result = record.consume();
        if (timedOut && result.error() == WSA_OPERATION_ABORTED) {
            throw timeout.get();
        }
        return result;
    }

    /**
     * After CancelIoEx for a cancelled caller: waits, without being interruptible, until the
     * completion was dispatched or the socket was closed (then the dispatcher releases the record).
     */
    private static void awaitAfterCancel(OperationRecord record, Owner owner) {
        while (record.pending() && owner.isOpen()) {
            record.slot().awaitUninterruptibly();
        }
    }
}
