package dev.fiberio.iocp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Maps completion keys to {@link CompletionTarget}s. A socket is associated with the completion
 * port under a key that is its token here: {@code generation << 32 | index}. The generation of an
 * index changes each time the index is reused, and is never 0, so a completion queued for a socket
 * that has since been removed (and whose index now serves another socket) finds no target and is
 * dropped; key 0 is free for the port's own wake-up packets.
 *
 * <p>Threads: {@link #add} and {@link #remove} (socket creation, and the release of a closed
 * socket's last record; any thread) serialise on this object's monitor, which is never held across
 * a suspension or a native call. {@link #lookup} (poller threads) takes no lock: an acquire read of
 * the array and of its element, which {@link #add} published with release writes. Each element is
 * an immutable {@link Entry}, so the token and the target are read together.
 */
final class ChannelTable {
    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(Entry[].class);

    /** One registration: the token it was issued with and its target. */
    private record Entry(long token, CompletionTarget target) {
    }

    private volatile Entry[] entries = new Entry[64];
    private int[] generations = new int[64];
    private int[] free = new int[64];
    private int freeCount;
    private int next;
    private int size;

    /**
     * Registers {@code target}.
     *
     * @param target the target
     * @return its token, never 0
     */
    synchronized long add(CompletionTarget target) {
        int index;
        if (freeCount > 0) {
            index = free[--freeCount];
        } else {
            index = next++;
            if (index == generations.length) {
                entries = Arrays.copyOf(entries, index * 2); // volatile write publishes the copy
                generations = Arrays.copyOf(generations, index * 2);
            }
        }
        int generation = generations[index] + 1;
        if (generation == 0) {
            generation = 1; // after 2^32 reuses: skip 0, so that no token is 0
        }
        generations[index] = generation;
        long token = ((long) generation << 32) | index;
        ENTRIES.setRelease(entries, index, new Entry(token, target));
        size++;
        return token;
    }

    /**
     * Forgets the registration of {@code token}, if it is still there.
     *
     * @param token a token from {@link #add}
     */
    synchronized void remove(long token) {
        int index = (int) token;
        Entry[] e = entries;
        Entry current = (Entry) ENTRIES.getAcquire(e, index);
        if (current == null || current.token() != token) {
            return;
        }
        ENTRIES.setRelease(e, index, (Entry) null);
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = index;
        size--;
    }

    /**
     * The live target of {@code token}.
     *
     * @param token a completion key
     * @return the target, or null if the key is unknown or stale
     */
    CompletionTarget lookup(long token) {
        int index = (int) token;
        Entry[] e = entries;
        if (index < 0 || index >= e.length) {
            return null;
        }
        Entry entry = (Entry) ENTRIES.getAcquire(e, index);
        return entry != null && entry.token() == token ? entry.target() : null;
    }

    /** Registered targets (for tests and diagnostics). */
    synchronized int size() {
        return size;
    }
}
