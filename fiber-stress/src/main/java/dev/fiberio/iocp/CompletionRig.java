package dev.fiberio.iocp;

import dev.fiberio.core.DrivenFiber;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.iocp.win32.Win32Constants;
import dev.fiberio.nativeio.TokenTable;
import dev.fiberio.nativeio.completion.CompletionWait;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;

/**
 * One overlapped operation in flight and the fiber waiting for it, for the IOCP jcstress tests: the
 * dispatch path of the IOCP backend without a kernel. The operation record's target is registered in a
 * {@link TokenTable} under a token, started (the kernel owns it, as after WSARecv returned
 * "pending"), and the fiber waits in {@link CompletionWait#await}, the same code a socket's read
 * runs. A poller actor calls {@link #dispatch}, which is what a poller thread does with a dequeued
 * completion entry: {@link CompletionDispatcher#dispatch}. The fiber, its manual scheduler and the
 * resume accounting are a {@link DrivenFiber}; a resume the fiber refuses is caught by
 * {@link #dispatch} and counted as early when the fiber was still running.
 */
final class CompletionRig {
    private final WaitSlot slot = new WaitSlot();
    private final OverlappedRecord record = new OverlappedRecord(16);
    private final TokenTable<CompletionTarget> channels = new TokenTable<>();
    private final CompletionDispatcher dispatcher = new CompletionDispatcher(channels);
    private final long token;
    private final DrivenFiber fiber;

    CompletionRig() {
        record.attach(slot, 0, released -> { });
        token = channels.add(new CompletionTarget() {
            @Override
            public OverlappedRecord recordAt(long overlappedAddress) {
                return overlappedAddress == record.overlappedAddress() ? record : null;
            }

            @Override
            public int errorOf(OverlappedRecord r, int ntStatus) {
                return ntStatus;
            }
        });
        record.acquire();
        record.started(); // the overlapped call returned "pending"
        CompletionWait.Owner owner = new CompletionWait.Owner() {
            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void cancel(OperationRecord r) {
            }

            @Override
            public IOException closedException() {
                return SocketErrors.socketClosed();
            }
        };
        fiber = new DrivenFiber("iocp-jcstress", () -> {
            try {
                return CompletionWait.await(record, owner, Deadlines.NO_DEADLINE, Win32Constants.WSA_OPERATION_ABORTED,
                        SocketErrors::readTimedOut).value();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The fiber, its manual scheduler and the resume accounting: the actors' worker and the arbiter drive it there. */
    DrivenFiber fiber() {
        return fiber;
    }

    /**
     * A poller thread's part: dispatches a completion entry for the operation (status 0, {@code bytes}).
     *
     * @param bytes the entry's byte count
     * @return whether the entry completed the operation (false: dropped as stale)
     */
    boolean dispatch(int bytes) {
        return fiber.deliver(() -> dispatcher.dispatch(token, record.overlappedAddress(), 0, bytes));
    }
}
