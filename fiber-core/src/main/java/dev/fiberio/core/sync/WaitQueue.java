package dev.fiberio.core.sync;


/**
 * The FIFO of blocked waiters of one primitive: an intrusive doubly linked list of {@link WaitNode}s,
 * so that a waiter that times out or is cancelled leaves from the middle in O(1).
 *
 * <p>Not thread-safe: every method except {@link #withdraw} and {@link #lockedSize} (which take it
 * themselves) is called with the owning primitive's guard held, and the guard is never held across a
 * suspension. A node is in the queue exactly while its status is {@link WaitNode#WAITING}: wakers
 * remove a node before completing it, and a withdrawing waiter
 * removes it only after checking, under the guard, that it is still waiting.
 */
final class WaitQueue implements WaitNode.Withdrawal {
    private final Guard guard;
    private WaitNode head;
    private WaitNode tail;
    private int size;

    /**
     * Creates an empty queue.
     *
     * @param guard the owning primitive's guard, taken by {@link #withdraw}
     */
    WaitQueue(Guard guard) {
        this.guard = guard;
    }

    /**
     * Appends a node.
     *
     * @param node a node that is in no queue
     */
    void addLast(WaitNode node) {
        node.prev = tail;
        node.next = null;
        if (tail == null) {
            head = node;
        } else {
            tail.next = node;
        }
        tail = node;
        size++;
    }

    /**
     * The oldest node, left in the queue.
     *
     * @return the head, or null if empty
     */
    WaitNode peekFirst() {
        return head;
    }

    /**
     * Removes and returns the oldest node.
     *
     * @return the former head, or null if empty
     */
    WaitNode pollFirst() {
        WaitNode n = head;
        if (n != null) {
            remove(n);
        }
        return n;
    }

    /**
     * Unlinks a node of this queue.
     *
     * @param node a node that is in this queue
     */
    void remove(WaitNode node) {
        WaitNode p = node.prev;
        WaitNode n = node.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        node.prev = null;
        node.next = null;
        size--;
    }

    /**
     * Removes a waiter that gives up, unless a waker completed its node first (then the node is no
     * longer in the queue and the waiter keeps what it was given).
     *
     * @param node a node that is, or was, in this queue
     * @return true if the node was still waiting and is now removed
     */
    boolean removeIfWaiting(WaitNode node) {
        if (node.getStatusVolatile() != WaitNode.WAITING) {
            return false;
        }
        remove(node);
        return true;
    }

    /**
     * The whole withdrawal for primitives that need no repair when a waiter leaves: takes the guard
     * and {@linkplain #removeIfWaiting removes the node if it is still waiting}. The only method here
     * that takes the guard itself.
     *
     * @param node the waiter's node
     * @return true if removed
     */
    @Override
    public boolean withdraw(WaitNode node) {
        guard.lock();
        try {
            return removeIfWaiting(node);
        } finally {
            guard.unlock();
        }
    }

    /**
     * The number of queued nodes, read under the guard (for the primitives' monitoring accessors,
     * called without the guard).
     *
     * @return the size
     */
    int lockedSize() {
        guard.lock();
        try {
            return size;
        } finally {
            guard.unlock();
        }
    }

    /**
     * Empties the queue, completing every node with {@code outcome}, oldest first.
     *
     * @param outcome {@link WaitNode#GRANTED} or {@link WaitNode#CLOSED}
     * @return the removed nodes as a chain through {@code wakeNext}, oldest first, for
     *         {@link WaitNode#wakeChain} once the guard is released; null if the queue was empty
     */
    WaitNode completeAll(int outcome) {
        WaitNode first = head;
        for (WaitNode n = first; n != null; ) {
            WaitNode following = n.next;
            n.prev = null;
            n.next = null;
            n.wakeNext = following;
            n.complete(outcome);
            n = following;
        }
        head = null;
        tail = null;
        size = 0;
        return first;
    }

    /**
     * Whether no node is queued.
     *
     * @return true if empty
     */
    boolean isEmpty() {
        return head == null;
    }

    /**
     * The number of queued nodes.
     *
     * @return the size
     */
    int size() {
        return size;
    }
}
