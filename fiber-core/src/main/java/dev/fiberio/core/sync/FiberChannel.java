package dev.fiberio.core.sync;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A bounded FIFO channel between fibers (and threads): senders wait while it is full, receivers
 * while it is empty. With capacity 0 it is a rendezvous: a send completes only when a receiver takes
 * the item.
 *
 * <pre>{@code
 * FiberChannel<Request> requests = new FiberChannel<>(64);
 * Fiber.spawn(() -> { for (Request r : batch) requests.send(r); requests.close(); });
 * try {
 *     for (;;) handle(requests.receive());
 * } catch (ChannelClosedException drained) {
 *     // the sender closed the channel and every item was received
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Order.</b> Items are received in the order they were sent; waiting senders and waiting
 *       receivers are each served first come, first served.</li>
 *   <li><b>Null</b> items are rejected with {@link NullPointerException}; {@code null} results mean
 *       "nothing" ({@link #tryReceive()}, a timed-out {@link #receive(Duration)}).</li>
 *   <li><b>Close.</b> After {@link #close()} every send throws {@link ChannelClosedException}, and so
 *       do the sends that were waiting (their items were not delivered). Receivers still get the items
 *       already buffered, then {@link ChannelClosedException}.</li>
 *   <li><b>Cancellation and timeouts.</b> A blocked send or receive throws
 *       {@link dev.fiberio.core.FiberCancelledException} if the caller is cancelled (interrupted);
 *       the timed forms return false/null when the time runs out. An item is never lost to that race:
 *       a receiver handed an item as it gives up returns the item; a sender whose item was taken as it
 *       gives up returns successfully; a sender that really gave up still has its item.</li>
 * </ul>
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code guard} (a {@link Guard}, never held across a suspension) protects
 *       {@code buffer}, {@code senders}, {@code receivers}, {@code closed} (writes; volatile for
 *       {@link #isClosed()}) and the waiters' nodes. A waiting sender's {@link WaitNode} carries its
 *       item in {@code value}; a waiting receiver's node gets the item there.</li>
 *   <li>Invariants under the guard, which make FIFO hold across the buffer and the queues:
 *       receivers wait only while the buffer is empty and no sender waits; senders wait only while
 *       the buffer is full ({@code capacity} items) and no receiver waits; after close, nobody waits.</li>
 *   <li>A send hands its item straight to the oldest waiting receiver, else appends to the buffer,
 *       else waits. A receive takes the oldest buffered item and refills the buffer from the oldest
 *       waiting sender (or, with capacity 0, takes that sender's item directly).</li>
 *   <li>Wakers complete nodes under the guard and wake them after releasing it. A waiter that times
 *       out or is cancelled leaves its queue under the guard unless its node was completed first.</li>
 * </ul>
 *
 * @param <T> the item type
 */
public final class FiberChannel<T> {
    private final int capacity;
    private final Guard guard = new Guard();
    private final ArrayDeque<T> buffer;
    private final WaitQueue senders = new WaitQueue(guard);
    private final WaitQueue receivers = new WaitQueue(guard);
    /** Written under the guard, once. */
    private volatile boolean closed;

    /**
     * Creates an open, empty channel.
     *
     * @param capacity how many items it buffers; 0 for a rendezvous channel
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public FiberChannel(int capacity) {
        this.capacity = WaitSupport.requireNonNegative(capacity, "capacity");
        this.buffer = new ArrayDeque<>(Math.min(capacity, 64));
    }

    /**
     * Sends {@code item}, waiting while the channel is full (for capacity 0: until a receiver takes it).
     *
     * @param item the item
     * @throws NullPointerException                     if {@code item} is null
     * @throws ChannelClosedException                   if the channel is or gets closed before the item
     *                                                  is delivered
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting (the item
     *                                                  was not sent)
     */
    public void send(T item) {
        sendInternal(item, true, false, 0L);
    }

    /**
     * Sends {@code item}, waiting at most {@code timeout} while the channel is full.
     *
     * @param item    the item
     * @param timeout the longest wait; zero or negative means do not wait
     * @return true if sent, false if the time ran out (the item was not sent)
     * @throws NullPointerException                     if {@code item} or {@code timeout} is null
     * @throws ChannelClosedException                   if the channel is or gets closed
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting
     */
    public boolean send(T item, Duration timeout) {
        return sendInternal(item, true, true, WaitSupport.deadlineAfter(timeout));
    }

    /**
     * Sends {@code item} if a receiver waits or the buffer has room; never waits.
     *
     * @param item the item
     * @return true if sent
     * @throws NullPointerException   if {@code item} is null
     * @throws ChannelClosedException if the channel is closed
     */
    public boolean trySend(T item) {
        return sendInternal(item, false, false, 0L);
    }

    /**
     * Receives the oldest item, waiting while the channel is empty.
     *
     * @return the item
     * @throws ChannelClosedException                   if the channel is closed and empty
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting
     */
    public T receive() {
        return receiveInternal(true, false, 0L);
    }

    /**
     * Receives the oldest item, waiting at most {@code timeout} while the channel is empty.
     *
     * @param timeout the longest wait; zero or negative means do not wait
     * @return the item, or null if the time ran out
     * @throws NullPointerException                     if {@code timeout} is null
     * @throws ChannelClosedException                   if the channel is closed and empty
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting
     */
    public T receive(Duration timeout) {
        return receiveInternal(true, true, WaitSupport.deadlineAfter(timeout));
    }

    /**
     * Receives the oldest item if there is one (buffered, or offered by a waiting sender); never waits.
     *
     * @return the item, or null if none is available
     * @throws ChannelClosedException if the channel is closed and empty
     */
    public T tryReceive() {
        return receiveInternal(false, false, 0L);
    }

    /**
     * Closes the channel: later sends fail, waiting senders fail, and receivers fail once the buffered
     * items are gone. Idempotent.
     */
    public void close() {
        WaitNode failedSenders;
        WaitNode failedReceivers;
        guard.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            failedSenders = senders.completeAll(WaitNode.CLOSED);
            failedReceivers = receivers.completeAll(WaitNode.CLOSED);
        } finally {
            guard.unlock();
        }
        WaitNode.wakeChain(failedSenders);
        WaitNode.wakeChain(failedReceivers);
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true if closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * The buffer capacity given at construction.
     *
     * @return the capacity; 0 for a rendezvous channel
     */
    public int capacity() {
        return capacity;
    }

    /**
     * The number of buffered items (a snapshot).
     *
     * @return the size
     */
    public int size() {
        guard.lock();
        try {
            return buffer.size();
        } finally {
            guard.unlock();
        }
    }

    /**
     * The number of senders waiting (a snapshot, for monitoring and tests).
     *
     * @return the number of blocked senders
     */
    public int waitingSenders() {
        return senders.lockedSize();
    }

    /**
     * The number of receivers waiting (a snapshot, for monitoring and tests).
     *
     * @return the number of blocked receivers
     */
    public int waitingReceivers() {
        return receivers.lockedSize();
    }

    @Override
    public String toString() {
        return "FiberChannel[capacity=" + capacity + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------------------

    /** Returns whether the item was sent; false only when it may not or did not wait long enough. */
    private boolean sendInternal(T item, boolean mayWait, boolean timed, long deadline) {
        Objects.requireNonNull(item, "item");
        WaitNode receiver;
        WaitNode node = null;
        guard.lock();
        try {
            if (closed) {
                throw new ChannelClosedException("send on closed " + this);
            }
            receiver = receivers.pollFirst();
            if (receiver != null) {
                receiver.value = item;
                receiver.complete(WaitNode.GRANTED);
            } else if (buffer.size() < capacity) {
                buffer.addLast(item);
            } else if (!mayWait) {
                return false;
            } else {
                node = new WaitNode(item, 0);
                senders.addLast(node);
            }
        } finally {
            guard.unlock();
        }
        if (receiver != null) {
            receiver.wake();
        }
        if (node == null) {
            return true;
        }
        return switch (node.await(timed, deadline, senders)) {
            case WaitNode.GRANTED -> true;
            case WaitNode.TIMED_OUT -> false;
            case WaitNode.CLOSED -> throw new ChannelClosedException(this + " was closed while sending");
            default -> throw WaitSupport.cancelled("sending to " + this);
        };
    }

    /** Returns the item, or null when it may not or did not wait long enough. */
    private T receiveInternal(boolean mayWait, boolean timed, long deadline) {
        T item;
        WaitNode sender;
        WaitNode node = null;
        guard.lock();
        try {
            item = buffer.pollFirst();
            sender = senders.pollFirst();
            if (sender != null) {
                T offered = itemOf(sender);
                if (item == null) {
                    item = offered; // rendezvous: straight from the sender
                } else {
                    buffer.addLast(offered); // the buffer was full: refill it in order
                }
                sender.complete(WaitNode.GRANTED);
            } else if (item == null) {
                if (closed) {
                    throw new ChannelClosedException("receive on closed and empty " + this);
                }
                if (!mayWait) {
                    return null;
                }
                node = new WaitNode(null, 0);
                receivers.addLast(node);
            }
        } finally {
            guard.unlock();
        }
        if (sender != null) {
            sender.wake();
        }
        if (node == null) {
            return item;
        }
        return switch (node.await(timed, deadline, receivers)) {
            case WaitNode.GRANTED -> itemOf(node);
            case WaitNode.TIMED_OUT -> null;
            case WaitNode.CLOSED -> throw new ChannelClosedException(this + " was closed while receiving");
            default -> throw WaitSupport.cancelled("receiving from " + this);
        };
    }

    @SuppressWarnings("unchecked") // only items of type T are ever put into a node of this channel
    private T itemOf(WaitNode node) {
        return (T) node.value;
    }
}
