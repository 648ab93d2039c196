package dev.fiberio.epoll;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps the 64-bit {@code epoll_data} token of a registration back to its channel, and drops events
 * meant for a channel that was closed since: a token is {@code generation << 32 | index}, and an
 * index's generation changes each time it is reused, so an event that was already queued for a closed
 * fd (whose number the kernel may have handed to a new socket) never wakes the new one.
 *
 * <p>Threads: {@link #add} and {@link #remove} (socket creation and close, any thread) serialise on
 * this object's monitor — never held across a suspension; {@link #lookup} (the poller thread) is
 * lock-free: an acquire load of the array reference and of the element, published by release stores.
 */
final class TokenTable {
    private static final VarHandle ELEMENTS = MethodHandles.arrayElementVarHandle(EpollChannel[].class);

    private volatile EpollChannel[] channels = new EpollChannel[64];
    private int[] generations = new int[64];
    private int[] free = new int[64];
    private int freeCount;
    private int next;
    private int size;

    /** Stores {@code channel} and returns its token. */
    synchronized long add(EpollChannel channel) {
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
        int generation = ++generations[index];
        long token = ((long) generation << 32) | index;
        channel.token = token;
        ELEMENTS.setRelease(channels, index, channel);
        size++;
        return token;
    }

    /** Forgets the channel of {@code token}, if it is still there. */
    synchronized void remove(long token) {
        int index = (int) token;
        EpollChannel[] c = channels;
        EpollChannel current = (EpollChannel) ELEMENTS.getAcquire(c, index);
        if (current == null || current.token != token) {
            return;
        }
        ELEMENTS.setRelease(c, index, (EpollChannel) null);
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = index;
        size--;
    }

    /** The live channel of {@code token}, or null if it was removed (stale event). */
    EpollChannel lookup(long token) {
        int index = (int) token;
        EpollChannel[] c = channels;
        if (index < 0 || index >= c.length) {
            return null;
        }
        EpollChannel ch = (EpollChannel) ELEMENTS.getAcquire(c, index);
        return ch != null && ch.token == token ? ch : null;
    }

    /** A snapshot of the live channels, for closing them all. */
    synchronized List<EpollChannel> live() {
        List<EpollChannel> out = new ArrayList<>(size);
        for (int i = 0; i < next; i++) {
            EpollChannel ch = channels[i];
            if (ch != null) {
                out.add(ch);
            }
        }
        return out;
    }

    synchronized int size() {
        return size;
    }
}
