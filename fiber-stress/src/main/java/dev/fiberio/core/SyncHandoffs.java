package dev.fiberio.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.core.sync.FiberChannel;
import dev.fiberio.core.sync.ChannelClosedException;
import dev.fiberio.core.sync.FiberLock;
import dev.fiberio.core.sync.FiberSemaphore;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The hand-off races of the fiber-aware primitives in {@code dev.fiberio.core.sync}: a permit, an item
 * or a lock handed to a waiting fiber at the moment that fiber is cancelled, or its channel closed.
 * Whatever the order, nothing is lost or duplicated and the waiter is resumed exactly once.
 *
 * <p>Each state drives its waiter (a {@link DrivenFiber}) into the wait in its constructor, so the two
 * actors are the two wakers and the tests need two CPUs. Fields: r1 what the waiter's body returned
 * (per test), r2 and r3 per test, r4 the resume attempts of the waiter (1 exactly; more is "resumed
 * twice").
 */
public final class SyncHandoffs {
    static final int ACQUIRED = 1;
    static final int CANCELLED = 2;
    static final int CLOSED = 3;

    private SyncHandoffs() {
    }

    /** A semaphore's {@code release()} racing the cancellation of the fiber blocked in {@code acquire()}. */
    @JCStressTest
    @Description("FiberSemaphore.release() vs cancel() of the fiber blocked in acquire(): the permit is taken or kept, never lost")
    @Outcome(id = "1, 0, 0, 1", expect = ACCEPTABLE, desc = "release handed the permit to the waiter (a later cancel is seen by its next wait)")
    @Outcome(id = "2, 1, 0, 1", expect = ACCEPTABLE, desc = "the waiter was cancelled first; the released permit stayed in the semaphore")
    @Outcome(id = "2, 0, .*", expect = FORBIDDEN, desc = "permit lost: the waiter was cancelled and the permit is gone")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "permit duplicated: the waiter got one and one is still there")
    @Outcome(id = ".*, [2-9]", expect = FORBIDDEN, desc = "resumed twice")
    @Outcome(id = ".*, 0", expect = FORBIDDEN, desc = "never resumed")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class SemaphoreReleaseVsCancel {
        final FiberSemaphore semaphore = new FiberSemaphore(0);
        final DrivenFiber waiter = new DrivenFiber(() -> {
            try {
                semaphore.acquire();
                return ACQUIRED;
            } catch (FiberCancelledException e) {
                return CANCELLED;
            }
        });

        /** Creates the state: the waiter blocked in {@code acquire()}. */
        public SemaphoreReleaseVsCancel() {
            waiter.runNext();
        }

        /** The releaser. */
        @Actor
        public void release() {
            waiter.wake(() -> {
                semaphore.release();
                return true;
            });
        }

        /** The canceller. */
        @Actor
        public void cancel() {
            waiter.cancel();
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1 acquired (1) or cancelled (2); r2 permits left; r3 0; r4 resume attempts
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            waiter.runAll();
            r.r1 = waiter.result();
            r.r2 = semaphore.availablePermits();
            r.r4 = waiter.resumeAttempts();
        }
    }

    /** A rendezvous channel's {@code trySend} racing the cancellation of the receiver. */
    @JCStressTest
    @Description("FiberChannel(0).trySend() vs cancel() of the fiber blocked in receive(): the item is delivered or refused, never lost")
    @Outcome(id = "7, 1, 0, 1", expect = ACCEPTABLE, desc = "trySend handed the item to the receiver")
    @Outcome(id = "2, 0, 0, 1", expect = ACCEPTABLE, desc = "the receiver was cancelled first and left; trySend found nobody and refused")
    @Outcome(id = "2, 1, .*", expect = FORBIDDEN, desc = "item lost: trySend succeeded but the receiver was cancelled without it")
    @Outcome(id = ".*, [2-9]", expect = FORBIDDEN, desc = "resumed twice")
    @Outcome(id = ".*, 0", expect = FORBIDDEN, desc = "never resumed")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class ChannelSendVsCancel {
        final FiberChannel<Integer> channel = new FiberChannel<>(0);
        final DrivenFiber receiver = new DrivenFiber(() -> {
            try {
                return channel.receive();
            } catch (FiberCancelledException e) {
                return CANCELLED;
            }
        });

        /** Creates the state: the receiver blocked in {@code receive()}. */
        public ChannelSendVsCancel() {
            receiver.runNext();
        }

        /**
         * The sender.
         *
         * @param r r2 receives 1 if trySend succeeded
         */
        @Actor
        public void send(IIII_Result r) {
            r.r2 = receiver.wake(() -> channel.trySend(7)) ? 1 : 0;
        }

        /** The canceller. */
        @Actor
        public void cancel() {
            receiver.cancel();
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1 the item (7) or cancelled (2); r3 items left in the channel; r4 resume attempts
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            receiver.runAll();
            r.r1 = receiver.result();
            r.r3 = channel.size();
            r.r4 = receiver.resumeAttempts();
        }
    }

    /** {@code close()} racing {@code trySend} while a fiber is blocked in {@code receive()}. */
    @JCStressTest
    @Description("FiberChannel(1): close() vs trySend() with a fiber blocked in receive(): an accepted item is received, a refused one is reported")
    @Outcome(id = "5, 1, 0, 1", expect = ACCEPTABLE, desc = "the send came first and handed the item over; close came after")
    @Outcome(id = "3, 0, 0, 1", expect = ACCEPTABLE, desc = "close came first: the receiver saw the channel closed and trySend threw ChannelClosedException")
    @Outcome(id = "3, 1, .*", expect = FORBIDDEN, desc = "item lost: trySend accepted it but the receiver saw only the close")
    @Outcome(id = ".*, [2-9]", expect = FORBIDDEN, desc = "resumed twice")
    @Outcome(id = ".*, 0", expect = FORBIDDEN, desc = "never resumed")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class ChannelCloseVsSend {
        final FiberChannel<Integer> channel = new FiberChannel<>(1);
        final DrivenFiber receiver = new DrivenFiber(() -> {
            try {
                return channel.receive();
            } catch (ChannelClosedException e) {
                return CLOSED;
            }
        });

        /** Creates the state: the receiver blocked in {@code receive()}. */
        public ChannelCloseVsSend() {
            receiver.runNext();
        }

        /**
         * The sender.
         *
         * @param r r2 receives 1 if trySend accepted the item, 0 if the channel was closed
         */
        @Actor
        public void send(IIII_Result r) {
            r.r2 = receiver.wake(() -> {
                try {
                    return channel.trySend(5);
                } catch (ChannelClosedException e) {
                    return false;
                }
            }) ? 1 : 0;
        }

        /** The closer. */
        @Actor
        public void close() {
            receiver.wake(() -> {
                channel.close();
                return true;
            });
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1 the item (5) or closed (3); r3 items left; r4 resume attempts
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            receiver.runAll();
            r.r1 = receiver.result();
            r.r3 = channel.size();
            r.r4 = receiver.resumeAttempts();
        }
    }

    /**
     * A lock's hand-off on {@code unlock()} racing the cancellation of the fiber queued in {@code lock()}.
     * The holder is itself a fiber, parked while it holds the lock; the first actor resumes it and runs
     * it to its {@code unlock()}.
     */
    @JCStressTest
    @Description("FiberLock.unlock() hand-off vs cancel() of the queued fiber: the lock is taken and released, or stays free; never left held")
    @Outcome(id = "1, 0, 0, 1", expect = ACCEPTABLE, desc = "the hand-off won: the waiter got the lock and released it")
    @Outcome(id = "2, 0, 0, 1", expect = ACCEPTABLE, desc = "the waiter was cancelled first and left the queue; unlock freed the lock")
    @Outcome(id = ".*, 1, .*, .*", expect = FORBIDDEN, desc = "lock left held: a hand-off to the cancelled waiter was lost")
    @Outcome(id = ".*, [2-9]", expect = FORBIDDEN, desc = "resumed twice")
    @Outcome(id = ".*, 0", expect = FORBIDDEN, desc = "never resumed")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class LockHandoffVsCancel {
        final FiberLock lock = new FiberLock();
        final DrivenFiber holder = new DrivenFiber(() -> {
            lock.lock();
            Fiber.park();
            lock.unlock();
            return 0;
        });
        final DrivenFiber waiter = new DrivenFiber(() -> {
            try {
                lock.lock();
            } catch (FiberCancelledException e) {
                return CANCELLED;
            }
            lock.unlock();
            return ACQUIRED;
        });

        /** Creates the state: the holder parked with the lock, the waiter queued in {@code lock()}. */
        public LockHandoffVsCancel() {
            holder.runNext();
            waiter.runNext();
        }

        /** Resumes the holder and runs it to its {@code unlock()}, which hands the lock over. */
        @Actor
        public void unlock() {
            holder.fiber().unpark();
            holder.runNext();
        }

        /** The canceller. */
        @Actor
        public void cancel() {
            waiter.cancel();
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1 acquired (1) or cancelled (2); r2 1 if the lock is still held; r3 0; r4 resume attempts
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            holder.runAll();
            waiter.runAll();
            r.r1 = waiter.result();
            r.r2 = lock.isLocked() ? 1 : 0;
            r.r4 = waiter.resumeAttempts();
        }
    }

    /**
     * Two fibers become a held lock's first waiters at the same moment: the lock makes its wait queue for
     * its first waiter, so both race to make it (under the lock's guard). The holder (a fiber parked with
     * the lock) unlocks in the arbiter, which then runs whatever was resumed until nothing is left.
     */
    @JCStressTest
    @Description("FiberLock: two fibers queue on a held lock for the first time at once; after the unlock both get it once and it ends free")
    @Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "both waiters got the lock in turn and released it; nothing left queued")
    @Outcome(id = "-1, .*, .*, .*", expect = FORBIDDEN, desc = "the first waiter never got the lock: lost from the queue")
    @Outcome(id = ".*, -1, .*, .*", expect = FORBIDDEN, desc = "the second waiter never got the lock: lost from the queue")
    @Outcome(id = ".*, .*, [1-9].*, .*", expect = FORBIDDEN, desc = "lock left held or a waiter left queued after both returned")
    @Outcome(id = ".*, .*, .*, [1-9].*", expect = FORBIDDEN, desc = "a waiter resumed twice, or a resume refused")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class LockFirstWaitersRace {
        final FiberLock lock = new FiberLock();
        final DrivenFiber holder = new DrivenFiber(() -> {
            lock.lock();
            Fiber.park();
            lock.unlock();
            return 0;
        });
        final DrivenFiber first = new DrivenFiber(() -> {
            lock.lock();
            lock.unlock();
            return ACQUIRED;
        });
        final DrivenFiber second = new DrivenFiber(() -> {
            lock.lock();
            lock.unlock();
            return ACQUIRED;
        });

        /** Creates the state: the holder parked with the lock, nobody queued yet. */
        public LockFirstWaitersRace() {
            holder.runNext();
        }

        /** One waiter's worker: runs it into {@code lock()}, where it queues. */
        @Actor
        public void firstWaits() {
            first.runNext();
        }

        /** The other waiter's worker. */
        @Actor
        public void secondWaits() {
            second.runNext();
        }

        /**
         * Unlocks (the holder's fiber), then runs every fiber resumed by a hand-off until none is left.
         *
         * @param r r1 and r2 the waiters' results (1 acquired, -1 still waiting); r3 10 if the lock is still
         *          held plus the queue length; r4 resume attempts beyond one per waiter plus invariant
         *          violations
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            holder.fiber().unpark();
            holder.runNext();
            boolean ran;
            do {
                ran = first.runNextIfAny() | second.runNextIfAny() | holder.runNextIfAny();
            } while (ran);
            r.r1 = first.result();
            r.r2 = second.result();
            r.r3 = (lock.isLocked() ? 10 : 0) + lock.queueLength();
            r.r4 = Math.max(0, first.resumeAttempts() - 1) + Math.max(0, second.resumeAttempts() - 1)
                    + first.violations() + second.violations() + holder.violations();
        }
    }
}
