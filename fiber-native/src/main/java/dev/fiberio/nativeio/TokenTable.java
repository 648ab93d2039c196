package dev.fiberio.nativeio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps the 64-bit token of a registration (epoll's {@code epoll_data}, an io_uring {@code user_data},
 * an IOCP completion key) back to its channel, and drops events meant for a channel that was closed
 * since: a token is {@code generation << 32 | index}, and an index's generation changes each time it
 * is reused and is never 0, so an event that was already queued for a closed fd (whose number the
 * kernel may have handed to a new socket) never wakes the new one, and token 0 is free for a
 * backend's own use.
 *
 * <p>Threads: {@link #add} and {@link #remove} (socket creation and close, any thread) serialise on
 * this object's monitor — never held across a suspension; {@link #lookup} (the poller thread) is
 * lock-free: an acquire load of the array reference and of the element, published by release stores.
 * Each element is an immutable {@code Entry}, so a token and its channel are read together.
 *
 * @param <T> the channel type
 */
public final class TokenTable<T> {
    private static final VarHandle ELEMENTS = MethodHandles.arrayElementVarHandle(Entry[].class);

    /** One registration: the token it was issued with and its channel. */
    private record Entry(long token, Object channel) {
    }

    private volatile Entry[] channels = new Entry[64];
    private int[] generations = new int[64];
    private int[] free = new int[64];
    private int freeCount;
    private int next;
    private int size;

    /**
     * Stores {@code channel}.
     *
     * @param channel the channel
     * @return its token, never 0
     */
    public synchronized long add(T channel) {
        int index;
        if (freeCount > 0) {
            index = free[--freeCount];
        } else {
            index = next++;
            if (index == channels.length) {
                channels = Arrays.copyOf(channels, index * 2); // volatile store publishes the copy
                generations = Arrays.copyOf(generations, index * 2);
            }
        }
        int generation = generations[index] + 1;
        if (generation == 0) {
            generation = 1; // after 2^32 reuses: skip 0, so that no token is 0
        }
        generations[index] = generation;
        long token = ((long) generation << 32) | index;
        ELEMENTS.setRelease(channels, index, new Entry(token, channel));
        size++;
        return token;
    }

    /**
     * Forgets the channel of {@code token}, if it is still there.
     *
     * @param token a token from {@link #add}
     */
    public synchronized void remove(long token) {
        int index = (int) token;
        Entry[] c = channels;
        if (index < 0 || index >= c.length) {
            return;
        }
        Entry current = (Entry) ELEMENTS.getAcquire(c, index);
        if (current == null || current.token() != token) {
            return;
        }
        ELEMENTS.setRelease(c, index, (Entry) null);
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = index;
        size--;
    }

    /**
     * The live channel of {@code token}.
     *
     * @param token a token from an event
     * @return the channel, or null if it was removed (stale event) or the token is unknown
     */
    @SuppressWarnings("unchecked")
    public T lookup(long token) {
        int index = (int) token;
        Entry[] c = channels;
        if (index < 0 || index >= c.length) {
            return null;
        }
        Entry e = (Entry) ELEMENTS.getAcquire(c, index);
        return e != null && e.token() == token ? (T) e.channel() : null;
    }

    /**
     * A snapshot of the live channels, for closing them all.
     *
     * @return the channels registered now
     */
    @SuppressWarnings("unchecked")
    public synchronized List<T> live() {
        List<T> out = new ArrayList<>(size);
        for (int i = 0; i < next; i++) {
            Entry e = channels[i];
            if (e != null) {
                out.add((T) e.channel());
            }
        }
        return out;
    }

    /**
     * The number of live channels.
     *
     * @return the count
     */
    public synchronized int size() {
        return size;
    }
}
