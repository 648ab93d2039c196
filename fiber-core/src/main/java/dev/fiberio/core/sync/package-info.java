/**
 * Fiber-aware synchronisation: {@link dev.fiberio.core.sync.FiberLock} with its
 * {@link dev.fiberio.core.sync.FiberCondition}s, {@link dev.fiberio.core.sync.FiberSemaphore} and the
 * bounded {@link dev.fiberio.core.sync.FiberChannel}.
 *
 * <p>Every blocking call suspends the calling <em>fiber</em> and leaves its worker free for other
 * fibers; called from a plain thread, it parks the thread. Fibers and threads may share one primitive.
 * Each blocking call has a timed form, and each wakes with
 * {@link dev.fiberio.core.FiberCancelledException} when the waiting fiber is cancelled (or the waiting
 * thread interrupted; its interrupt status stays set). An operation that can complete at once completes
 * without looking at cancellation, so cleanup code of a cancelled fiber can still take a free lock.
 *
 * <p>All waiters are served first come, first served. When a grant (a lock hand-off, permits, a
 * condition signal, an item) races with the waiter's timeout or cancellation, the grant wins: the call
 * returns successfully and the cancellation is seen by the fiber's next blocking call. Nothing handed
 * over is ever dropped.
 *
 * <p>Never hold a {@code synchronized} monitor or a {@code java.util.concurrent} lock across a call that
 * may suspend a fiber; use these primitives instead.
 */
package dev.fiberio.core.sync;
