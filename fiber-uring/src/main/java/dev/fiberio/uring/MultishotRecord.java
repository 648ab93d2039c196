package dev.fiberio.uring;

import dev.fiberio.nativeio.completion.OperationRecord;
import java.lang.foreign.MemorySegment;

/**
 * A record whose request may post several completions (a multishot request). The completions that carry
 * IORING_CQE_F_MORE go to {@link #more} and leave the request in flight; the last one (without F_MORE)
 * ends it through {@link OperationRecord#complete}, as for any record.
 */
abstract class MultishotRecord extends OperationRecord {
    MultishotRecord(MemorySegment memory) {
        super(memory);
    }

    /**
     * One completion of the request that stays armed; on the reaping thread, in completion order.
     *
     * @param error 0, or the errno
     * @param value the result
     * @param flags the CQE flags
     */
    abstract void more(int error, int value, int flags);
}
