package dev.fiberio.slf4j;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberLocal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.spi.MDCAdapter;

/**
 * An SLF4J {@link MDCAdapter} whose context belongs to the calling fiber (a {@link FiberLocal}), so a
 * value put before a suspension is there after the fiber resumes on another worker, and fibers that
 * share a worker thread never see each other's values. Outside a fiber the context belongs to the
 * calling thread, as with Logback's own adapter.
 *
 * <p>A new fiber starts with an empty context (it inherits nothing from its parent), and its context
 * is dropped when it terminates. {@link FiberLogbackServiceProvider} installs this adapter into SLF4J
 * and Logback; other backends can return it from their own {@code SLF4JServiceProvider}.
 */
public final class FiberMDCAdapter implements MDCAdapter {
    private final FiberLocal<MdcContext> perFiber = FiberLocal.withInitial(MdcContext::new);
    private final ThreadLocal<MdcContext> perThread = ThreadLocal.withInitial(MdcContext::new);

    /** Creates an adapter; its contexts are its own (two adapters do not share values). */
    public FiberMDCAdapter() {
    }

    private MdcContext context() {
        return Fiber.current() != null ? perFiber.get() : perThread.get();
    }

    /**
     * Puts {@code val} under {@code key} in the calling fiber's (or thread's) context.
     *
     * @param key the key, not null
     * @param val the value (may be null)
     * @throws IllegalArgumentException if {@code key} is null
     */
    @Override
    public void put(String key, String val) {
        if (key == null) {
            throw new IllegalArgumentException("key cannot be null");
        }
        context().put(key, val);
    }

    @Override
    public String get(String key) {
        return key == null ? null : context().values.get(key);
    }

    @Override
    public void remove(String key) {
        if (key != null) {
            context().remove(key);
        }
    }

    @Override
    public void clear() {
        context().values = Map.of();
    }

    /**
     * A copy of the calling fiber's (or thread's) context, which the caller may modify.
     *
     * @return the copy; empty (not null) if nothing was put
     */
    @Override
    public Map<String, String> getCopyOfContextMap() {
        return new HashMap<>(context().values);
    }

    @Override
    public void setContextMap(Map<String, String> contextMap) {
        Objects.requireNonNull(contextMap, "contextMap");
        context().values = new HashMap<>(contextMap);
    }

    @Override
    public void pushByKey(String key, String value) {
        context().deques.computeIfAbsent(Objects.requireNonNull(key, "key"), k -> new ArrayDeque<>()).push(value);
    }

    @Override
    public String popByKey(String key) {
        Deque<String> d = context().deques.get(key);
        return d == null ? null : d.poll();
    }

    @Override
    public Deque<String> getCopyOfDequeByKey(String key) {
        Deque<String> d = context().deques.get(key);
        return d == null ? null : new ArrayDeque<>(d);
    }

    @Override
    public void clearDequeByKey(String key) {
        Deque<String> d = context().deques.get(key);
        if (d != null) {
            d.clear();
        }
    }

    /**
     * One fiber's or thread's context. Only its owner touches it, so it needs no locking; a fiber
     * that migrates takes it along, and the switch between carriers orders its accesses.
     * {@code values} is replaced, never modified, so a snapshot handed out stays as it was.
     */
    private static final class MdcContext {
        Map<String, String> values = Map.of();
        final Map<String, Deque<String>> deques = new HashMap<>();

        void put(String key, String val) {
            Map<String, String> next = new HashMap<>(values);
            next.put(key, val);
            values = next;
        }

        void remove(String key) {
            if (values.containsKey(key)) {
                Map<String, String> next = new HashMap<>(values);
                next.remove(key);
                values = next;
            }
        }
    }
}
