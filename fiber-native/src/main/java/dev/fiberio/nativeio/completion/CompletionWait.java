package dev.fiberio.nativeio.completion;

import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.nativeio.RateLimitedLog;
import dev.fiberio.net.spi.Deadlines;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The waiting half of a completion-based operation: the caller (a fiber, which suspends, or a plain
 * thread, which parks) waits on the record's slot until the reaper has delivered the completion, and
 * handles the deadline, cancellation and close on the way. The caller holds the record ({@code USER})
 * throughout.
 *
 * <ul>
 *   <li><b>Completion</b>: {@link OperationRecord#complete} sets DONE, then signals the slot. Wake-ups
 *       are advisory, so after each one the caller re-reads the record.</li>
 *   <li><b>Deadline</b>: cancel (the owner's {@link Owner#cancel}), then keep waiting for the completion,
 *       which is the aborted one or the real result if the I/O won the race. Only an aborted completion
 *       becomes the timeout exception; a result that won is returned, no byte lost. That wait is bounded
 *       by the owner's {@link Owner#cancelGraceNanos() cancel grace} if it has one (a Windows layered
 *       provider may ignore CancelIoEx): without a completion by then the caller gets its timeout, the
 *       operation stays with the record, and the next operation on it collects its completion
 *       ({@link #collectLeftover}).</li>
 *   <li><b>Cancellation</b> of the waiting fiber: cancel, then wait uninterruptibly, without a bound, for
 *       the completion and throw. A result that won the race stays in the record, unconsumed; the next
 *       operation collects it ({@link #collectLeftover}).</li>
 *   <li><b>Close</b>: throw at once. The owner's close cancelled (or aborted) the operation; the reaper
 *       releases the record when that completion arrives.</li>
 * </ul>
 */
public final class CompletionWait {
    /** {@link Owner#cancelGraceNanos()}: wait for a cancelled operation's completion as long as it takes. */
    public static final long UNBOUNDED_GRACE = Long.MAX_VALUE;

    private static final RateLimitedLog UNANSWERED =
            new RateLimitedLog(LoggerFactory.getLogger(CompletionWait.class), TimeUnit.SECONDS.toNanos(10));

    /** What the wait needs from the socket that started the operation. */
    public interface Owner {
        /** Whether the socket is open (not closed). */
        boolean isOpen();

        /**
         * Requests cancellation of the record's operation; best effort, never throws.
         *
         * @param record the record with an operation in flight
         */
        void cancel(OperationRecord record);

        /** The exception for an operation on, or woken by the closing of, the socket. */
        IOException closedException();

        /**
         * How long, after a deadline's cancellation, to wait for the operation's completion before the
         * caller gets its timeout anyway (the operation then stays with the record).
         *
         * @return nanoseconds, or {@link #UNBOUNDED_GRACE} (the default) to wait until it comes
         */
        default long cancelGraceNanos() {
            return UNBOUNDED_GRACE;
        }
    }

    private CompletionWait() {
    }

    /**
     * Waits for the operation in flight on {@code record} and consumes its result.
     *
     * @param record       a record with an operation in flight (or already completed)
     * @param owner        its socket
     * @param deadline     an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @param abortedError the error code of a completion aborted by a cancellation (ECANCELED, WSA_OPERATION_ABORTED)
     * @param timeout      the exception for an operation aborted by its deadline
     * @return the operation's result (success, or its error)
     * @throws IOException the owner's closed exception if the socket was closed while waiting, or the timeout
     * @throws FiberCancelledException if the caller was cancelled while waiting (after the completion
     *         was reaped, unless the socket was closed)
     */
    public static OperationRecord.Completion await(OperationRecord record, Owner owner, long deadline, int abortedError,
                                                   Supplier<SocketTimeoutException> timeout) throws IOException {
        boolean timedOut = false;
        long graceEnd = Deadlines.NO_DEADLINE;
        while (record.pending()) {
            if (!owner.isOpen()) {
                throw owner.closedException();
            }
            if (!timedOut && Deadlines.hasPassed(deadline)) {
                owner.cancel(record);
                timedOut = true;
                long grace = owner.cancelGraceNanos();
                graceEnd = grace == UNBOUNDED_GRACE ? Deadlines.NO_DEADLINE : Deadlines.after(Duration.ofNanos(grace));
                continue;
            }
            if (timedOut && Deadlines.hasPassed(graceEnd)) {
                // The cancellation brought no completion: the caller gets its timeout now; the operation
                // stays with the record, whose next operation collects it.
                UNANSWERED.warn("{}: no completion {} ms after the cancellation; the operation stays pending", owner,
                        TimeUnit.NANOSECONDS.toMillis(owner.cancelGraceNanos()));
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
        if (timedOut && result.error() == abortedError) {
            throw timeout.get();
        }
        return result;
    }

    /**
     * If an earlier caller left an operation on {@code record} (it was cancelled while waiting, or gave up
     * after the cancel grace), waits for its completion and returns it; the caller decides whether it is
     * its result.
     *
     * @return the left-over completion, or null if the record is free
     */
    public static OperationRecord.Completion collectLeftover(OperationRecord record, Owner owner, long deadline,
                                                             int abortedError, Supplier<SocketTimeoutException> timeout)
            throws IOException {
        if (record.hasResult()) {
            return record.consume();
        }
        if (record.pending()) {
            return await(record, owner, deadline, abortedError, timeout);
        }
        return null;
    }

    /** After a cancellation for a cancelled caller: waits uninterruptibly until the completion was reaped or the socket closed. */
    private static void awaitAfterCancel(OperationRecord record, Owner owner) {
        while (record.pending() && owner.isOpen()) {
            record.slot().awaitUninterruptibly();
        }
    }
}
