package dev.fiberio.nativeio;

import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.DrivenFiber;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.nativeio.completion.CompletionWait;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One operation in flight on the shared completion core ({@link OperationRecord}, {@link CompletionWait},
 * fiber-native) and the fiber waiting for it, without a kernel: the record is registered in a
 * {@link TokenTable} and started (KERNEL, as after an SQE was queued or WSARecv returned "pending"),
 * the fiber waits in {@link CompletionWait#await}, the code io_uring's and IOCP's reads run, and a
 * reaper actor calls {@link #reap}, which is what a ring's or port's reaper does with a completion:
 * look the token up, then {@link OperationRecord#complete}. The fiber, its manual scheduler and the
 * resume accounting are a {@link DrivenFiber}.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>The owner is open until {@link #close} (volatile {@code open}); its cancel only counts.</li>
 *   <li>The release action counts releases and whether one happened while the kernel still owned the
 *       memory (KERNEL set), which must never be.</li>
 *   <li>The fiber's result is the completion's value, or {@link #CANCELLED}, {@link #CLOSED}
 *       ({@link DrivenFiber#NOT_RETURNED} while it waits).</li>
 * </ul>
 */
final class CoreRig {
    static final int CANCELLED = -2;
    static final int CLOSED = -3;

    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicInteger releasedWhileKernel = new AtomicInteger();
    private final AtomicInteger cancels = new AtomicInteger();
    private final OperationRecord record = new OperationRecord(Arena.ofAuto().allocate(16));
    private final TokenTable<OperationRecord> records = new TokenTable<>();
    private final long token;
    private final DrivenFiber fiber;
    private volatile boolean open = true;

    CoreRig() {
        token = records.add(record);
        record.attach(new WaitSlot(), token, r -> {
            if (r.pending()) {
                releasedWhileKernel.incrementAndGet();
            }
            releases.incrementAndGet();
            records.remove(r.token());
        });
        record.acquire();
        record.started();
        CompletionWait.Owner owner = new CompletionWait.Owner() {
            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void cancel(OperationRecord r) {
                cancels.incrementAndGet();
            }

            @Override
            public IOException closedException() {
                return SocketErrors.socketClosed();
            }
        };
        fiber = new DrivenFiber("core-jcstress", () -> {
            try {
                return CompletionWait.await(record, owner, Deadlines.NO_DEADLINE, 125, SocketErrors::readTimedOut).value();
            } catch (FiberCancelledException e) {
                return CANCELLED;
            } catch (SocketException e) {
                return CLOSED;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                record.release(); // the caller's USER, as a socket's read leaves it
            }
        });
    }

    /** The fiber, its manual scheduler and the resume accounting: the actors' worker and the arbiter drive it there. */
    DrivenFiber fiber() {
        return fiber;
    }

    /** Runs the fiber into its wait now (from the state's constructor: the operation is then in flight and waited for). */
    CoreRig suspended() {
        fiber.runNext();
        return this;
    }

    /**
     * A reaper's part: one completion carrying {@code token} and {@code value}.
     *
     * @return whether it completed the operation (false: dropped as stale)
     */
    boolean reap(long completionToken, int value) {
        OperationRecord r = records.lookup(completionToken);
        if (r == null) {
            return false;
        }
        return fiber.deliver(() -> r.complete(0, value, 0));
    }

    /** The record's token (the user_data or completion key a completion carries). */
    long token() {
        return token;
    }

    /** Cancels the waiting fiber ({@link dev.fiberio.core.Fiber#cancel()}, as a deadline of the application or a shutdown). */
    void cancelFiber() {
        fiber.fiber().cancel();
    }

    /** Closes the socket: the owner reads closed, the record is closed and its waiter signalled (what UringChannel.close does). */
    void close() {
        open = false;
        record.close();
        record.slot().signal();
    }

    int releases() {
        return releases.get();
    }

    int releasedWhileKernel() {
        return releasedWhileKernel.get();
    }

    int cancels() {
        return cancels.get();
    }

    OperationRecord record() {
        return record;
    }
}
