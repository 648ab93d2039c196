package dev.fiberio.iocp;

import dev.fiberio.nativeio.TokenTable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers one dequeued completion entry to the operation it belongs to: the key names a
 * {@link CompletionTarget} in the port's {@link TokenTable}, the OVERLAPPED address names one of its
 * {@link OverlappedRecord}s, and the record stores the result and signals its slot (see
 * {@link OverlappedRecord#complete}). That signal may find the waiting fiber still switching out on
 * its worker: the slot's handshake then leaves the resume to the fiber's post-switch hook.
 *
 * <p>An entry that finds no live target, no record at its address, or a record with no operation
 * pending is stale (its socket was closed and its key reused, or a duplicate) and is dropped
 * without touching any memory; {@link #staleCompletions()} counts them.
 *
 * <p>Threads: any number of poller threads call {@link #dispatch} at once.
 */
final class CompletionDispatcher {
    private final TokenTable<CompletionTarget> channels;
    private final AtomicLong stale = new AtomicLong();

    /**
     * @param channels the targets, by completion key
     */
    CompletionDispatcher(TokenTable<CompletionTarget> channels) {
        this.channels = channels;
    }

    /**
     * Dispatches one completion entry.
     *
     * @param key               the entry's completion key
     * @param overlappedAddress the entry's lpOverlapped
     * @param ntStatus          the entry's NTSTATUS ({@code Internal})
     * @param bytes             the entry's byte count
     * @return true if a pending operation received it
     */
    boolean dispatch(long key, long overlappedAddress, int ntStatus, int bytes) {
        CompletionTarget target = channels.lookup(key);
        OverlappedRecord record = target == null ? null : target.recordAt(overlappedAddress);
        if (record == null || !record.pending()) {
            stale.incrementAndGet();
            return false;
        }
        int error = NtStatus.toWinsockError(ntStatus);
        if (error == NtStatus.UNKNOWN) {
            error = target.errorOf(record, ntStatus);
        }
        if (!record.complete(error, bytes, 0)) {
            stale.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Completion entries dropped as stale so far. */
    long staleCompletions() {
        return stale.get();
    }
}
